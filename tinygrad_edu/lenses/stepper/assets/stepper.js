// The step-through page's script. Python computed every number and every text it shows (the
// JSON of the page's "stepper-data" script); this script only looks them up, so what the page
// shows is bit for bit what the engine computed. It does no arithmetic on any gradient: the
// only sums here are the step counter and the zoom and pan of the view.
(function () {
  "use strict";
  var root = document.currentScript.closest(".stepper");
  var data = JSON.parse(root.querySelector(".stepper-data").textContent);
  var steps = data.steps;
  var svg = root.querySelector(".canvas svg");
  var nodes = {};
  var edges = {};
  var firstFill = {};
  svg.querySelectorAll("g.node").forEach(function (element) {
    var key = element.getAttribute("data-node");
    nodes[key] = element;
    firstFill[key] = element.querySelector(".shape").getAttribute("fill");
  });
  svg.querySelectorAll("g.edge").forEach(function (element) {
    edges[element.getAttribute("data-edge")] = element;
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
  var step = 0;
  var timer = null;
  var current = [];
  var lit = [];
  var selected = null;

  // ----- stepping ---------------------------------------------------------------------

  function show(key, text, fill) {
    var element = nodes[key];
    element.querySelector(".grad").textContent = text;
    element.querySelector(".shape").setAttribute("fill", fill === null ? firstFill[key] : fill);
  }

  function apply(k) {
    steps[k].edges.forEach(function (edge) {
      if (edge.show !== null) {
        show(edge.show, edge.afterText, edge.afterFill);
      }
    });
  }

  function undo(k) {
    var list = steps[k].edges;
    for (var i = list.length - 1; i >= 0; i--) {
      if (list[i].show !== null) {
        show(list[i].show, list[i].beforeText, list[i].beforeFill);
      }
    }
  }

  function mark(element, className, into) {
    if (element) {
      element.classList.add(className);
      into.push(element);
    }
  }

  function render() {
    root.setAttribute("data-step", String(step));
    counter.textContent = "step " + step + " of " + steps.length;
    current.forEach(function (element) {
      element.classList.remove("current");
    });
    current = [];
    if (step > 0) {
      var done = steps[step - 1];
      done.outline.forEach(function (key) {
        mark(nodes[key], "current", current);
      });
      done.active.forEach(function (e) {
        mark(edges[e], "current", current);
      });
      chainRule.textContent = done.lines.join("\n");
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
      mark(edges[e], "lit", lit);
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
  }

  // ----- the view: pan, zoom, and following the current step -----------------------------

  var MOST_ENLARGED = 1.25; // a small graph is not blown up to fill the canvas
  var box = svg.viewBox.baseVal;
  var whole = [box.x, box.y, box.width, box.height];
  var view = whole.slice();
  var atHome = true; // showing all of it, as it opened: it follows the canvas's size
  var drag = null;
  var dragged = false;

  function home() {
    var fits = Math.min(svg.clientWidth / whole[2], svg.clientHeight / whole[3]);
    if (!(fits > MOST_ENLARGED)) {
      return whole.slice();
    }
    var width = svg.clientWidth / MOST_ENLARGED;
    var height = svg.clientHeight / MOST_ENLARGED;
    return [whole[0] - (width - whole[2]) / 2, whole[1] - (height - whole[3]) / 2, width, height];
  }

  function setView(next, isHome) {
    view = next;
    atHome = Boolean(isHome);
    svg.setAttribute("viewBox", view.join(" "));
  }

  function goHome() {
    setView(home(), true);
  }
  window.addEventListener("load", goHome);
  window.addEventListener("resize", function () {
    if (atHome) {
      goHome();
    }
  });

  function zoomAt(factor, x, y) {
    setView([x - (x - view[0]) * factor, y - (y - view[1]) * factor,
             view[2] * factor, view[3] * factor]);
  }

  function zoomBy(factor) {
    zoomAt(factor, view[0] + view[2] / 2, view[1] + view[3] / 2);
  }

  function follow(done) {
    var element = nodes[done.outline[0]];
    if (!element) {
      return;
    }
    var b = element.getBBox();
    var inside = b.x >= view[0] && b.y >= view[1] && b.x + b.width <= view[0] + view[2] &&
      b.y + b.height <= view[1] + view[3];
    if (!inside) {
      setView([b.x + b.width / 2 - view[2] / 2, b.y + b.height / 2 - view[3] / 2,
               view[2], view[3]]);
    }
  }

  function pointInDrawing(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var point = pointInDrawing(event);
    zoomAt(event.deltaY < 0 ? 0.8 : 1.25, point.x, point.y);
  }, { passive: false });

  svg.addEventListener("pointerdown", function (event) {
    drag = { x: event.clientX, y: event.clientY, view: view.slice() };
    dragged = false;
  });

  svg.addEventListener("pointermove", function (event) {
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
      setView([drag.view[0] - dx / scale, drag.view[1] - dy / scale, view[2], view[3]]);
    }
  });

  window.addEventListener("pointerup", function () {
    drag = null;
    root.classList.remove("dragging");
  });

  svg.addEventListener("click", function (event) {
    if (dragged) {
      return; // the end of a drag, not a click
    }
    var element = event.target.closest("g.node");
    if (element) {
      choose(element.getAttribute("data-node"));
    }
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
  button(".fit", goHome);
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
    if (key === "ArrowRight") {
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
