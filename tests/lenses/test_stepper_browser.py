"""The step-through page in a real browser: Debian's chromium, driven by playwright.

Each page is saved to a file and opened from disk (``file://``). After every key press the
test reads what each drawn value shows and compares it with Python's own numbers from
``backward_steps()``. Any console error, any uncaught exception and any request for
something other than a ``file://`` URL fails the test. Each page is built twice, with
graphviz's ``dot`` on the PATH (its layout) and without (the pure-Python layout).

No browser is downloaded: playwright drives the system's ``chromium``.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tinygrad_edu import Value, stepper, topological_order

from tests.browser import chromium, need_chromium
from tests.lenses.pages import (
    batch_loss,
    document_001,
    issue_example,
    ordered_ops,
    records,
    same_number,
    shown_after,
    square,
)

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

VIEWPORT = {"width": 1400, "height": 800}
SHOWN = "els => els.map(e => [e.dataset.value, e.querySelector('.grad').textContent])"
GRAPHS: dict[str, Callable[[], tuple[Value, dict]]] = {
    "issue_example": lambda: (issue_example(), {}),
    "x_times_x": lambda: (square(), {}),
    "minus_divide_power": lambda: (ordered_ops(), {}),
    "document_001": lambda: (document_001()[0], {}),
    "neuron_boxes": lambda: (batch_loss(1), {"group": "neuron"}),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium(sync_api) as launched:
        yield launched


@pytest.fixture(params=["with dot", "without dot"])
def layout_path(request, tmp_path, monkeypatch) -> Callable[..., object]:
    """Build a stepper with graphviz's dot on the PATH, or with a PATH that has no dot."""
    if request.param == "with dot" and shutil.which("dot") is None:
        pytest.skip("graphviz's 'dot' program is not installed (apt-get install graphviz)")

    def build(root: Value, **options):
        with monkeypatch.context() as patched:
            if request.param == "without dot":
                empty = tmp_path / "no-dot-here"
                empty.mkdir(exist_ok=True)
                patched.setenv("PATH", str(empty))
                assert shutil.which("dot") is None
            return stepper(root, **options)

    return build


class Watched:
    """A page opened from a file, with every console error and every request recorded."""

    def __init__(self, browser, path) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page = browser.new_page(viewport=VIEWPORT)
        self.page.route("**/*", self._route)
        self.page.on("request", self._request)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else 0)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _request(self, request) -> None:
        if not request.url.startswith("file://"):
            self.outside.append(request.url)

    def step(self) -> int:
        return int(self.page.get_attribute(".stepper", "data-step"))

    def shown(self) -> list[tuple[str, str]]:
        return self.page.eval_on_selector_all("g.value[data-label]", SHOWN)

    def check_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside


@pytest.fixture
def open_page(browser, tmp_path) -> Iterator[Callable[..., Watched]]:
    opened: list[Watched] = []

    def opener(page, name: str = "steps.html") -> Watched:
        watched = Watched(browser, page.save(tmp_path / name))
        opened.append(watched)
        return watched

    yield opener
    for watched in opened:
        watched.check_clean()
        watched.page.close()


def check_shows(watched: Watched, root: Value, steps, k: int) -> None:
    """After ``k`` steps: the counter, and every drawn value's gradient as Python has it."""
    assert watched.step() == k
    expected = shown_after(root, steps, k)
    shown = watched.shown()
    assert shown, "no value is drawn"
    for value, text in shown:
        index = int(value)
        if index in expected:
            assert same_number(text, expected[index]), (k, index, text, expected[index])
        else:
            assert text == "?", (k, index, text)
    chain_rule = watched.page.text_content(".chain-rule")
    if k:
        assert chain_rule.startswith(f"step {k} of {len(steps)}: at ")
    else:
        assert chain_rule.startswith("Backward starts at")


@pytest.mark.parametrize("name", list(GRAPHS))
def test_walking_forward_and_back_with_the_keys_shows_pythons_gradients(
    name, layout_path, open_page, tmp_path
):
    root, options = GRAPHS[name]()
    page = layout_path(root, **options)
    steps = records(root)
    watched = open_page(page)
    total = len(steps)
    assert watched.page.get_attribute(".stepper", "data-steps") == str(total)
    check_shows(watched, root, steps, 0)
    for k in range(1, total + 1):
        watched.page.keyboard.press("ArrowRight")
        check_shows(watched, root, steps, k)
        if k == (total + 1) // 2:
            shot = tmp_path / f"{name}.png"
            watched.page.screenshot(path=str(shot))
            assert shot.read_bytes().startswith(b"\x89PNG")
    watched.page.keyboard.press("ArrowRight")  # past the end: nothing more to do
    check_shows(watched, root, steps, total)
    for k in range(total - 1, -1, -1):
        watched.page.keyboard.press("ArrowLeft")
        check_shows(watched, root, steps, k)
    watched.page.keyboard.press("End")
    check_shows(watched, root, steps, total)
    watched.page.keyboard.press("Home")
    check_shows(watched, root, steps, 0)


def test_the_buttons_do_what_the_keys_do(open_page):
    root = issue_example()
    steps = records(root)
    watched = open_page(stepper(root))
    assert watched.page.is_disabled("button.back") and watched.page.is_disabled("button.first")
    watched.page.click("button.next")
    watched.page.click("button.next")
    check_shows(watched, root, steps, 2)
    watched.page.click("button.back")
    check_shows(watched, root, steps, 1)
    watched.page.click("button.last")
    check_shows(watched, root, steps, 3)
    assert watched.page.is_disabled("button.next") and watched.page.is_disabled("button.last")
    watched.page.keyboard.press("ArrowLeft")  # the keys still reach the page after a click
    check_shows(watched, root, steps, 2)
    watched.page.click("button.first")
    check_shows(watched, root, steps, 0)


def test_space_plays_to_the_end_and_pauses(open_page):
    root, _ = document_001()
    steps = records(root)
    watched = open_page(stepper(root))
    watched.page.select_option("select.speed", label="fastest")
    watched.page.keyboard.press(" ")
    assert watched.page.text_content("button.play") == "▮▮ pause"
    watched.page.wait_for_function(
        f"document.querySelector('.stepper').dataset.step === '{len(steps)}'"
    )
    check_shows(watched, root, steps, len(steps))
    assert watched.page.text_content("button.play") == "▶ play"  # stopped by itself
    watched.page.keyboard.press("Home")
    watched.page.select_option("select.speed", label="slow")  # 2 s a step
    watched.page.keyboard.press(" ")
    watched.page.wait_for_function("document.querySelector('.stepper').dataset.step === '1'")
    watched.page.keyboard.press(" ")  # pause before step 2 (due 2 s after step 1)
    watched.page.wait_for_timeout(100)
    assert watched.step() == 1 and watched.page.text_content("button.play") == "▶ play"
    check_shows(watched, root, steps, 1)


def test_the_current_node_is_outlined_and_its_edges_stand_out(open_page):
    root = square()  # one step: at s, both edges into x
    watched = open_page(stepper(root))
    assert watched.page.eval_on_selector_all(".canvas .current", "els => els.length") == 0
    watched.page.keyboard.press("ArrowRight")
    current = watched.page.eval_on_selector_all(
        ".canvas .current", "els => els.map(e => e.getAttribute('data-node') || 'edge')"
    )
    assert sorted(current) == ["edge", "edge", "edge", "n1", "n1op"]
    assert "(was 3, now 6)" in watched.page.text_content(".chain-rule")


def test_clicking_a_leaf_lights_its_paths_and_shows_its_details(open_page):
    root, model = document_001()
    page = stepper(root)
    watched = open_page(page)
    watched.page.click("button.fit")  # the page opens legible around the loss: show it all
    watched.page.click('g.value[data-label="W1[0,2]"]')
    entry = next(p for p in page.data["paths"] if p["name"] == "W1[0,2]")
    lit_edges = watched.page.eval_on_selector_all("g.edge.lit", "els => els.length")
    assert lit_edges == len(entry["edges"]) == 22 + 31
    lit_nodes = watched.page.eval_on_selector_all("g.node.lit", "els => els.length")
    assert lit_nodes == len(entry["elements"])
    assert watched.page.input_value("select.path-select") == str(page.data["paths"].index(entry))
    text = watched.page.text_content(".path-text")
    assert text.startswith("∂E/∂W1[0,2] by the chain rule: the sum over the 10 paths")
    details = watched.page.text_content(".details")
    assert details.startswith("'W1[0,2]'\ndata 0.9\ngrad 0.000952078")
    watched.page.select_option("select.path-select", "-1")
    assert watched.page.eval_on_selector_all(".canvas .lit", "els => els.length") == 0
    watched.page.keyboard.press("ArrowRight")  # the keys step again after using the list
    assert watched.step() == 1
    watched.page.click("button.fit")  # stepping zoomed in on the step: show it all again
    watched.page.click('g.value[data-label="h1[2]"]')  # interior: details, paths unchanged
    assert watched.page.text_content(".details").startswith("'h1[2]'\ndata 1.2")
    assert "op Σwx+b, with the local derivative of each operand:" in watched.page.text_content(
        ".details"
    )
    assert watched.page.eval_on_selector_all(".canvas .lit", "els => els.length") == 0
    del model


def test_a_highlight_opens_lit_and_chosen_edges_light_alone(open_page):
    root, model = document_001()
    weight = model.parameter("W3[0,1]")
    watched = open_page(stepper(root, highlight=weight), "highlight.html")
    assert "∂E/∂W3[0,1] = path 1 = 0.0957699" in watched.page.text_content(".path-text")
    chosen = [(root, 1)]  # E = 0.5 * (the sum): the edge from the sum into E
    page = stepper(root, highlight_edges=chosen, highlight_caption="one edge")
    watched = open_page(page, "edges.html")
    assert watched.page.eval_on_selector_all("g.edge.lit", "els => els.length") == 2
    assert watched.page.text_content(".path-text").startswith("one edge\n1 chosen edge:")


def test_colours_follow_the_gradients_and_can_be_switched_off(open_page):
    root = issue_example()
    page = stepper(root)
    watched = open_page(page)
    watched.page.keyboard.press("End")
    fills = dict(
        watched.page.eval_on_selector_all(
            "g.value", "els => els.map(e => [e.dataset.node, e.querySelector('.shape')"
            ".getAttribute('fill')])"
        )
    )  # fmt: skip
    assert fills == page.data["finalFills"]
    assert len(set(fills.values())) == len(fills)  # five different gradients, five colours
    plain = "e => getComputedStyle(e.querySelector('.shape')).fill"
    coloured = watched.page.eval_on_selector('g.value[data-label="x"]', plain)
    watched.page.uncheck("input.colour")
    assert watched.page.eval_on_selector('g.value[data-label="x"]', plain) != coloured
    watched.page.keyboard.press("Home")
    watched.page.check("input.colour")
    first = watched.page.eval_on_selector('g.value[data-label="x"]', plain)
    assert first == "rgb(232, 240, 251)"  # a leaf before its gradient arrives


def test_the_view_zooms_pans_and_fits(open_page):
    root, _ = document_001()
    watched = open_page(stepper(root))
    home = watched.page.get_attribute(".canvas svg", "viewBox")
    watched.page.mouse.move(500, 400)
    watched.page.mouse.wheel(0, -300)
    zoomed = watched.page.get_attribute(".canvas svg", "viewBox")
    assert float(zoomed.split()[2]) < float(home.split()[2])
    watched.page.mouse.down()
    watched.page.mouse.move(400, 350, steps=5)
    watched.page.mouse.up()
    panned = watched.page.get_attribute(".canvas svg", "viewBox")
    assert panned.split()[:2] != zoomed.split()[:2] and panned.split()[2:] == zoomed.split()[2:]
    assert watched.page.text_content(".details").startswith("Click a node")  # a drag is no click
    watched.page.click("button.fit")  # the whole drawing, its text smaller than at the opening
    width, height = (watched.page.get_attribute(".canvas svg", k) for k in ("width", "height"))
    assert watched.page.get_attribute(".canvas svg", "viewBox") == f"0 0 {width} {height}"
    assert float(home.split()[2]) < float(width)


@pytest.mark.slow
def test_the_readme_screenshot_script_writes_the_picture(tmp_path):
    need_chromium()
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, str(root / "docs" / "make_stepper_screenshot.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    png = (tmp_path / "stepper.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (1280, 560)


TEXT_HEIGHTS = """svg => {
  const frame = svg.getBoundingClientRect();
  const heights = [];
  svg.querySelectorAll('g.node text').forEach(text => {
    const box = text.getBoundingClientRect();
    const lines = text.querySelectorAll(':scope > tspan').length || 1;
    if (box.right > frame.left && box.left < frame.right && box.bottom > frame.top
        && box.top < frame.bottom) heights.push(box.height / lines);
  });
  return heights;
}"""
VISIBLE_SVG = ".canvas .view:not([hidden]) svg"


@pytest.fixture(scope="module")
def gpt_step():
    """One step of a microgpt-shaped GPT (16 channels, 4 heads, an MLP) on a 2-letter name
    under origins(): about 27,000 nodes, three positions."""
    import tinygrad_edu
    from benchmarks.gpt_workload import GPT, shuffled_names

    with tinygrad_edu.origins():
        model = GPT(Value, shuffled_names())
        loss = model.loss("al")
    page = stepper(loss, layout="python")
    loss.backward()
    return loss, page


def test_a_gpt_step_opens_legible_steps_by_group_and_inside_a_group(gpt_step, open_page, tmp_path):
    loss, page = gpt_step
    path = page.save(tmp_path / "gpt.html")
    assert path.stat().st_size < 5_000_000  # a few MB for some 27,000 nodes
    watched = open_page(page, "gpt.html")
    p = watched.page
    total = len(page.data["steps"])
    assert p.get_attribute(".stepper", "data-steps") == str(total)
    heights = p.eval_on_selector(VISIBLE_SVG, TEXT_HEIGHTS)
    assert heights and min(heights) >= 10, heights  # legible where stepping starts
    p.screenshot(path=str(tmp_path / "gpt-opening.png"))
    opens = page.data["opens"]
    for k in range(1, total + 1):  # group by group, until a group whose insides are here
        p.keyboard.press("ArrowRight")
        step = page.data["steps"][k - 1]
        assert p.text_content(".chain-rule").startswith(f"step {k} of {total}: ")
        if step["unit"] in opens:
            break
    box = f'g.node[data-node="{step["unit"]}"]'
    assert p.get_attribute(box, "data-group") and int(p.get_attribute(box, "data-nodes")) >= 1
    assert re.match(r"step \d+ of \d+: \S+ \([\d,]+ nodes\): the backward rules of [\d,]+ ops",
                    p.text_content(".chain-rule"))  # fmt: skip
    heights = p.eval_on_selector(VISIBLE_SVG, TEXT_HEIGHTS)
    assert min(heights) >= 10  # followed to the current group, still legible
    p.screenshot(path=str(tmp_path / "gpt-group-step.png"))
    p.keyboard.press("ArrowLeft")  # before the group's step: open it and step inside it
    p.click(box)
    assert p.get_attribute(box, "data-open") == "1"
    inside = int(p.get_attribute(".stepper", "data-steps"))
    assert inside > total and p.get_attribute(".stepper", "data-step") == str(k - 1)
    p.keyboard.press("ArrowRight")
    assert "step " + str(k) + " of " + str(inside) in p.text_content(".chain-rule")
    p.screenshot(path=str(tmp_path / "gpt-inside.png"))
    p.keyboard.press("Escape")
    assert p.get_attribute(box, "data-open") is None
    assert p.get_attribute(".stepper", "data-steps") == str(total)
    p.focus(box)  # Enter on the focused box opens it too
    p.keyboard.press("Enter")
    assert p.get_attribute(box, "data-open") == "1"
    p.keyboard.press("End")
    assert p.get_attribute(".stepper", "data-step") == p.get_attribute(".stepper", "data-steps")
    grads = [node.grad for node in topological_order(loss)]
    shown = p.eval_on_selector_all("g.value[data-value]", SHOWN)
    assert len(shown) > 100
    for value, text in shown:  # every box in every view, as backward() has it
        assert same_number(text, grads[int(value)]), (value, text, grads[int(value)])
    p.screenshot(path=str(tmp_path / "gpt-end.png"))
    p.keyboard.press("Home")
    assert {text for _, text in p.eval_on_selector_all("g.value[data-value]", SHOWN)} >= {"?"}


def test_a_small_page_opens_legible_and_the_panel_shows_all_80_columns(open_page):
    root, model = document_001()
    watched = open_page(stepper(root, highlight=model.parameter("W1[0,2]")))
    heights = watched.page.eval_on_selector(VISIBLE_SVG, TEXT_HEIGHTS)
    assert heights and min(heights) >= 10, heights
    text = watched.page.text_content(".path-text")
    assert max(len(line) for line in text.splitlines()) >= 70
    overflow = watched.page.eval_on_selector(
        ".path-text", "e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]"
    )
    assert overflow[0] <= overflow[1] or overflow[2] == "auto", overflow
    assert overflow[0] <= overflow[1]  # at 1400 px wide, nothing to scroll
