// The step-through page's script. Python computed every number and every text it shows (the
// JSON of the page's "stepper-data" script); this script only looks them up, so what the page
// shows is bit for bit what the engine computed. It does no arithmetic on any gradient: the
// only sums here are the step counter and the zoom and pan of the view.
//
// A big graph's page has several views: the whole graph with groups collapsed, and the
// insides of groups, each its own drawing. Each step of a view is a span of the pass (its
// "start" and "end", in node steps) with the net change it makes to each shown gradient, so
// opening a group puts its own steps in place of its one step and the state stays the same.
(function () {
  "use strict";
  var root = document.currentScript.closest(".stepper");
  var data = JSON.parse(root.querySelector(".stepper-data").textContent);
  var viewData = data.views || [{ name: "graph", parent: -1, opener: "", steps: [] }];
  var containers = Array.prototype.slice.call(root.querySelectorAll(".canvas .view"));
  var crumbs = root.querySelector(".crumbs");
  var nodes = {};
  var byValue = {};
  var edgesOf = [];
  var firstFill = {};
  containers.forEach(function (container, v) {
    var edges = {};
    container.querySelectorAll("g.node").forEach(function (element) {
      var key = element.getAttribute("data-node");
      nodes[key] = element;
      firstFill[key] = element.querySelector(".shape").getAttribute("fill");
      var value = element.getAttribute("data-value");
      if (value !== null && element.querySelector(".grad")) {
        (byValue[value] = byValue[value] || []).push(key);
      }
      if (element.hasAttribute("data-group")) {
        element.setAttribute("tabindex", "0"); // Tab reaches a group; Enter opens it
      }
    });
    container.querySelectorAll("g.edge").forEach(function (element) {
      edges[element.getAttribute("data-edge")] = element;
    });
    edgesOf[v] = edges;
  });

  function find(selector) {
    return root.querySelector(selector);
  }
  var chainRule = find(".chain-rule");
  var counter = find(".counter");
  var pathSelect = find(".path-select");
  var pathText = find(".path-text");
  var details = find(".details");
  var playButton = find(".play");
  var speed = find(".speed");
  var colour = find(".colour");
  var shown = 0; // the view on screen
  var steps = data.steps; // its steps
  var step = 0;
  var timer = null;
  var current = [];
  var lit = [];
  var selected = null;
  var svg = containers[0].querySelector("svg");

  // ----- stepping ---------------------------------------------------------------------

  function show(key, text, fill) {
    var element = nodes[key];
    element.querySelector(".grad").textContent = text;
    element.querySelector(".shape").setAttribute("fill", fill === null ? firstFill[key] : fill);
  }

  function targets(edge) {
    if ("show" in edge) {
      return edge.show === null ? [] : [edge.show];
    }
    return byValue[edge.value] || [];
  }

  function apply(k) {
    steps[k].edges.forEach(function (edge) {
      targets(edge).forEach(function (key) {
        show(key, edge.afterText, edge.afterFill);
      });
    });
  }

  function undo(k) {
    var list = steps[k].edges;
    for (var i = list.length - 1; i >= 0; i--) {
      targets(list[i]).forEach(function (key) {
        show(key, list[i].beforeText, list[i].beforeFill);
      });
    }
  }

  function mark(element, className, into) {
    if (element) {
      element.classList.add(className);
      into.push(element);
    }
  }

  function onScreen(key) {
    var element = nodes[key];
    return element && element.ownerSVGElement === svg ? element : null;
  }

  function render() {
    root.setAttribute("data-step", String(step));
    root.setAttribute("data-steps", String(steps.length));
    counter.textContent = "step " + step + " of " + steps.length;
    current.forEach(function (element) {
      element.classList.remove("current");
    });
    current = [];
    if (step > 0) {
      var done = steps[step - 1];
      done.outline.forEach(function (key) {
        mark(onScreen(key), "current", current);
      });
      if (done.view === undefined || done.view === shown) {
        done.active.forEach(function (e) {
          mark(edgesOf[shown][e], "current", current);
        });
      }
      var lines = done.lines.slice();
      if (done.head) {
        lines[0] = "step " + step + " of " + steps.length + ": " + lines[0];
      }
      chainRule.textContent = lines.join("\n");
      follow(done);
    } else {
      chainRule.textContent = data.startText;
    }
    find(".first").disabled = find(".back").disabled = step === 0;
    find(".next").disabled = find(".last").disabled = step === steps.length;
  }

  function go(target) {
    target = Math.max(0, Math.min(steps.length, target));
    while (step < target) {
      apply(step);
      step += 1;
    }
    while (step > target) {
      step -= 1;
      undo(step);
    }
    render();
  }

  function tick() {
    go(step + 1);
    if (step === steps.length) {
      stop();
    }
  }

  function play() {
    if (step === steps.length) {
      go(0);
    }
    timer = setInterval(tick, Number(speed.value));
    playButton.textContent = "▮▮ pause";
  }

  function stop() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
    playButton.textContent = "▶ play";
  }

  function toggle() {
    if (timer === null) {
      play();
    } else {
      stop();
    }
  }

  function manual(target) {
    stop();
    go(target);
  }

  // ----- opening and closing groups: each view's steps ----------------------------------

  var timelines = [data.steps];
  viewData.forEach(function (entry, v) {
    entry.steps.forEach(function (s) {
      s.view = v;
    });
  });
  data.steps.forEach(function (s) {
    s.view = 0;
  });

  function timeline(v) {
    if (!timelines[v]) {
      var entry = viewData[v];
      var inner = entry.steps;
      var list = [];
      timeline(entry.parent).forEach(function (s) {
        if (s.view === entry.parent && s.unit === entry.opener) {
          inner.forEach(function (t) {
            if (t.start >= s.start && t.end <= s.end) {
              list.push(t);
            }
          });
        } else {
          list.push(s);
        }
      });
      timelines[v] = list;
    }
    return timelines[v];
  }

  function time() {
    return step === 0 ? 0 : steps[step - 1].end;
  }

  function switchTo(v) {
    var now = time();
    var opener = viewData[shown].opener;
    if (opener && nodes[opener]) {
      nodes[opener].removeAttribute("data-open");
    }
    containers[shown].hidden = true;
    shown = v;
    containers[v].hidden = false;
    svg = containers[v].querySelector("svg");
    steps = timeline(v);
    step = 0;
    while (step < steps.length && steps[step].end <= now) {
      step += 1;
    }
    for (var u = v; u > 0; u = viewData[u].parent) {
      nodes[viewData[u].opener].setAttribute("data-open", "1");
    }
    drawCrumbs();
    goHome();
    render();
  }

  function openGroup(key) {
    if (!data.opens || !Object.prototype.hasOwnProperty.call(data.opens, key)) {
      return false;
    }
    stop();
    switchTo(data.opens[key]);
    return true;
  }

  function closeTo(v) {
    stop();
    // finish the steps of the group being closed: the outer view's state is a whole step
    var outer = timeline(v);
    var ends = { 0: true };
    outer.forEach(function (s) {
      ends[s.end] = true;
    });
    while (!ends[time()] && step < steps.length) {
      apply(step);
      step += 1;
    }
    switchTo(v);
  }

  function drawCrumbs() {
    if (!crumbs) {
      return;
    }
    crumbs.textContent = "";
    crumbs.hidden = shown === 0;
    var chain = [];
    for (var v = shown; v >= 0; v = viewData[v].parent) {
      chain.unshift(v);
    }
    chain.forEach(function (v, n) {
      if (n) {
        crumbs.appendChild(document.createTextNode(" › "));
      }
      var crumb = document.createElement("button");
      crumb.type = "button";
      crumb.textContent = viewData[v].name;
      crumb.disabled = v === shown;
      crumb.addEventListener("click", function (event) {
        event.currentTarget.blur();
        closeTo(v);
      });
      crumbs.appendChild(crumb);
    });
  }

  // ----- paths and details --------------------------------------------------------------

  function setPath(n) {
    lit.forEach(function (element) {
      element.classList.remove("lit");
    });
    lit = [];
    pathSelect.value = String(n);
    if (n < 0) {
      pathText.textContent = "";
      return;
    }
    var entry = data.paths[n];
    entry.elements.forEach(function (key) {
      mark(nodes[key], "lit", lit);
    });
    entry.edges.forEach(function (e) {
      mark(edgesOf[0][e], "lit", lit);
    });
    pathText.textContent = entry.text;
  }

  function choose(key) {
    if (selected) {
      selected.classList.remove("selected");
    }
    selected = nodes[key];
    selected.classList.add("selected");
    details.textContent = data.details[key] || "";
    if (Object.prototype.hasOwnProperty.call(data.pathOf, key)) {
      setPath(data.pathOf[key]);
    }
    if (selected.hasAttribute("data-group") && !openGroup(key) && data.notEmbedded) {
      details.textContent = (data.notEmbedded[key] || "") + "\n\n" + details.textContent;
    }
  }

  // ----- the view: pan, zoom, and following the current step -----------------------------

  var MOST_ENLARGED = 1.25; // a small graph is not blown up to fill the canvas
  var LEGIBLE = 1; // the least zoom at which the 11 px text of a box stays readable
  var views = {}; // per view: [whole, view, atHome]
  var drag = null;
  var dragged = false;

  function state() {
    if (!views[shown]) {
      var box = svg.viewBox.baseVal;
      var whole = [box.x, box.y, box.width, box.height];
      views[shown] = { whole: whole, view: whole.slice(), atHome: true };
    }
    return views[shown];
  }

  function fitAll() {
    var whole = state().whole;
    var fits = Math.min(svg.clientWidth / whole[2], svg.clientHeight / whole[3]);
    if (!(fits > MOST_ENLARGED)) {
      return whole.slice();
    }
    var width = svg.clientWidth / MOST_ENLARGED;
    var height = svg.clientHeight / MOST_ENLARGED;
    return [whole[0] - (width - whole[2]) / 2, whole[1] - (height - whole[3]) / 2, width, height];
  }

  function around(b, zoom) {
    // the view at `zoom` (screen pixels per unit) centred on the box b, kept on the drawing
    var whole = state().whole;
    var width = svg.clientWidth / zoom;
    var height = svg.clientHeight / zoom;
    var x = b.x + b.width / 2 - width / 2;
    var y = b.y + b.height / 2 - height / 2;
    x = Math.max(whole[0] - width / 4, Math.min(x, whole[0] + whole[2] - width * 3 / 4));
    y = Math.max(whole[1] - height / 4, Math.min(y, whole[1] + whole[3] - height * 3 / 4));
    return [x, y, width, height];
  }

  function startBox() {
    // where stepping starts in the view shown: the next step's unit, else the root's box
    var next = steps[step] || steps[step - 1];
    var keys = next ? next.outline : [];
    var element = keys.map(onScreen).filter(Boolean)[0];
    if (!element && data.start.show) {
      element = onScreen(data.start.show);
    }
    return element ? element.getBBox() : null;
  }

  function home() {
    var all = fitAll();
    if (svg.clientWidth / all[2] >= LEGIBLE || !svg.clientWidth) {
      return all;
    }
    var b = startBox();
    return b ? around(b, LEGIBLE) : all;
  }

  function setView(next, isHome) {
    var s = state();
    s.view = next;
    s.atHome = Boolean(isHome);
    svg.setAttribute("viewBox", next.join(" "));
  }

  function goHome() {
    setView(home(), true);
  }

  window.addEventListener("load", function () {
    if (state().atHome) {
      goHome();
    }
  });
  window.addEventListener("resize", function () {
    if (state().atHome) {
      goHome();
    }
  });

  function zoomAt(factor, x, y) {
    var view = state().view;
    setView([x - (x - view[0]) * factor, y - (y - view[1]) * factor,
             view[2] * factor, view[3] * factor]);
  }

  function zoomBy(factor) {
    var view = state().view;
    zoomAt(factor, view[0] + view[2] / 2, view[1] + view[3] / 2);
  }

  function follow(done) {
    // as a map follows its route: the current step's boxes stay in view, at a legible zoom
    var boxes = done.outline.map(onScreen).filter(Boolean).map(function (e) {
      return e.getBBox();
    });
    if (!boxes.length || !svg.clientWidth) {
      return;
    }
    var left = Math.min.apply(null, boxes.map(function (b) { return b.x; }));
    var top = Math.min.apply(null, boxes.map(function (b) { return b.y; }));
    var right = Math.max.apply(null, boxes.map(function (b) { return b.x + b.width; }));
    var bottom = Math.max.apply(null, boxes.map(function (b) { return b.y + b.height; }));
    var b = { x: left, y: top, width: right - left, height: bottom - top };
    var view = state().view;
    var zoom = svg.clientWidth / view[2];
    var inside = b.x >= view[0] && b.y >= view[1] && b.x + b.width <= view[0] + view[2] &&
      b.y + b.height <= view[1] + view[3];
    if (zoom < LEGIBLE && svg.clientWidth / fitAll()[2] < LEGIBLE) {
      setView(around(b, LEGIBLE), state().atHome);
    } else if (!inside) {
      setView([b.x + b.width / 2 - view[2] / 2, b.y + b.height / 2 - view[3] / 2,
               view[2], view[3]], state().atHome);
    }
  }

  function pointInDrawing(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  containers.forEach(function (container) {
    var drawing = container.querySelector("svg");
    drawing.addEventListener("wheel", function (event) {
      event.preventDefault();
      var point = pointInDrawing(event);
      zoomAt(event.deltaY < 0 ? 0.8 : 1.25, point.x, point.y);
    }, { passive: false });

    drawing.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, view: state().view.slice() };
      dragged = false;
    });

    drawing.addEventListener("pointermove", function (event) {
      if (drag === null) {
        return;
      }
      var scale = svg.getScreenCTM().a;
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) {
        dragged = true;
        root.classList.add("dragging");
      }
      if (dragged) {
        var view = state().view;
        setView([drag.view[0] - dx / scale, drag.view[1] - dy / scale, view[2], view[3]]);
      }
    });

    drawing.addEventListener("click", function (event) {
      if (dragged) {
        return; // the end of a drag, not a click
      }
      var element = event.target.closest("g.node");
      if (element) {
        choose(element.getAttribute("data-node"));
      }
    });
  });

  window.addEventListener("pointerup", function () {
    drag = null;
    root.classList.remove("dragging");
  });

  // ----- buttons and keys -------------------------------------------------------------------

  function button(selector, action) {
    find(selector).addEventListener("click", function (event) {
      event.currentTarget.blur(); // keys go to the page again, not to this button
      action();
    });
  }
  button(".first", function () { manual(0); });
  button(".back", function () { manual(step - 1); });
  button(".play", toggle);
  button(".next", function () { manual(step + 1); });
  button(".last", function () { manual(steps.length); });
  button(".zoom-in", function () { zoomBy(0.8); });
  button(".zoom-out", function () { zoomBy(1.25); });
  button(".fit", function () { setView(fitAll(), false); });
  // after a choice the keys go to the page again, not to the control that was used
  speed.addEventListener("change", function () {
    speed.blur();
    if (timer !== null) {
      stop();
      play();
    }
  });
  colour.addEventListener("change", function () {
    colour.blur();
    root.classList.toggle("plain", !colour.checked);
  });
  pathSelect.addEventListener("change", function () {
    pathSelect.blur();
    setPath(Number(pathSelect.value));
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.tagName === "SELECT") {
      return;
    }
    var key = event.key;
    var focused = event.target.closest ? event.target.closest("g.node[data-group]") : null;
    if (key === "Enter" && focused) {
      choose(focused.getAttribute("data-node"));
    } else if (key === "Escape" && shown > 0) {
      closeTo(viewData[shown].parent);
    } else if (key === "ArrowRight") {
      manual(step + 1);
    } else if (key === "ArrowLeft") {
      manual(step - 1);
    } else if (key === "Home") {
      manual(0);
    } else if (key === "End") {
      manual(steps.length);
    } else if (key === " " || key === "Spacebar") {
      toggle();
    } else if (key === "+" || key === "=") {
      zoomBy(0.8);
    } else if (key === "-") {
      zoomBy(1.25);
    } else {
      return;
    }
    event.preventDefault();
  });

  goHome();
  render();
  setPath(data.open);
})();
