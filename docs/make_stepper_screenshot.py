"""The README's picture of the step-through page: ``python docs/make_stepper_screenshot.py``.

The page of L = tanh(x·w)·x, where x is used twice, opened from disk in Debian's ``chromium``
driven by playwright (``pip install '.[test]'``; no browser is downloaded), at its last
backward step, where x's gradient gets its second contribution, with x's two chain-rule paths
lit up. Written to ``docs/images/stepper.png`` next to this script, or to ``--out DIR``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tinygrad_edu import Value, stepper

IMAGES = Path(__file__).resolve().parent / "images"
STEPS_SHOWN = 3
VIEWPORT = {"width": 1280, "height": 560}
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def issue_example() -> tuple[Value, Value]:
    """L = tanh(x·w)·x with x = 0.8 and w = −1.7; returns (L, x)."""
    x, w = Value(0.8, label="x"), Value(-1.7, label="w")
    loss = (x * w).tanh() * x
    loss.label = "L"
    return loss, x


def make_screenshot(path: Path) -> Path:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: sudo apt-get install chromium")
    loss, x = issue_example()
    with tempfile.TemporaryDirectory() as folder:
        page_file = stepper(loss, highlight=x).save(Path(folder) / "steps.html")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGUMENTS)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(page_file.as_uri())
            for _ in range(STEPS_SHOWN):
                page.keyboard.press("ArrowRight")
            page.screenshot(path=str(path))
            browser.close()
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the README's stepper picture.")
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"wrote {make_screenshot(args.out / 'stepper.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
