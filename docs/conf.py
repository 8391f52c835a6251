"""The docs site: ``pip install '.[docs]'``, then, from the repository's root,

    sphinx-build -W --keep-going -b html docs docs/_build/html

``-W`` turns every warning into a failure, and ``nitpicky`` makes every cross-reference one that
must resolve. The notebooks (``notebooks/``, linked here as ``docs/notebooks``) run top to bottom
in every build, so the outputs shown are the ones this code prints. The site needs nothing from
the network: MathJax comes from a PyPI package and is served from the site's own ``_static``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import tinygrad_edu

project = "tinygrad_edu"
author = "tinygrad_edu's authors"
copyright = "tinygrad_edu's authors, MIT licence"  # noqa: A001 (Sphinx's own name)
release = version = tinygrad_edu.__version__

extensions = [
    "myst_nb",  # MyST Markdown pages and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.napoleon",  # the docstrings' Args:, Returns:, Raises: sections
]

exclude_patterns = ["_build", "speed/results", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
nitpicky = True

# Markdown: $…$ and $$…$$ math in the notebooks, anchors for every heading down to ###.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# The notebooks run in every build, each on a fresh kernel in a folder of its own, and a cell
# that raises fails the build.
nb_execution_mode = "force"
nb_execution_in_temp = True
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True

# The API reference reads the docstrings; the signatures keep their annotations as written.
autosummary_generate = True
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autodoc_inherit_docstrings = False  # graphviz's docstrings are written for its own site
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_use_ivar = True  # a class's Attributes: as fields, not as second descriptions
templates_path = ["_templates"]

# Python's, graphviz's and PyTorch's own documentation is not linked: that would need
# intersphinx, which downloads their inventories at build time.
nitpick_ignore_regex = [
    ("py:.*", r"(collections\.abc|typing|types|os|pathlib|io|random|graphviz|torch)\..*"),
    # The signatures name the package's inner types by their defining module or by a bare
    # name; the public ones are documented under tinygrad_edu.NAME and in the types section,
    # the others (a protocol, an SVG scene, a record inside a view, a type alias of plain
    # lists) have no page of their own.
    ("py:.*", r"tinygrad_edu\.(core|lenses|nn|training|model_data|exercises|custom_ops)\..*"),
    ("py:(class|meth|func|data|obj)", r"[A-Za-z_]\w*(\.\w+)?"),
    # A property's docstring opens with a sentence and a colon, "The number of backward steps:
    # …", which napoleon reads as "type: description"; such prose is no reference.
    ("py:class", r".*[^\w.].*"),
]

html_theme = "furo"
html_title = f"tinygrad_edu {release}"
html_static_path: list[str] = []
# Search works from disk (searchindex.js is a script); the snippets under each result would be
# fetched page by page, which a browser refuses for file:// pages, so the results list titles.
html_show_search_summary = False


def _mathjax_file() -> Path:
    """MathJax 3's one-file TeX-to-SVG component, from the PyPI package ``django-static-mathjax``
    (SVG output draws its glyphs as paths, so no font file is fetched either)."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("MathJax is missing: pip install '.[docs]'")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "static" / "mathjax" / "es5" / "tex-svg.js"


html_static_path.append(str(_mathjax_file()))
mathjax_path = "tex-svg.js"  # relative: the copy in the site's own _static folder


def _plain_bars(app, what, name, obj, options, lines: list[str]) -> None:
    """The docstrings write absolute values as |x|, which reStructuredText would read as a
    substitution: escape every bar outside an inline literal."""
    for number, line in enumerate(lines):
        parts = line.split("``")
        parts[::2] = [part.replace("|", "\\|") for part in parts[::2]]
        lines[number] = "``".join(parts)


def setup(app):  # noqa: ANN001, ANN201 (Sphinx's extension hook)
    app.connect("autodoc-process-docstring", _plain_bars)
