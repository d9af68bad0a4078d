"""Sphinx configuration of the course's website (`make book`, tools/build_book.py).

The site is built from the committed notebooks, never re-executed: nbval already proves
their outputs current. tools/build_book.py copies book/ (this file, the landing page, the
course-map page, the API index) together with lectures/, exercises/, solutions/, README.md,
INSTRUCTORS.md and CONTRIBUTING.md into build/book/src, keeping the repository's layout, so
the notebooks' relative links (../exercises/NN.ipynb, ../README.md#course-map) resolve to
pages; new notebooks appear by glob (index.md).
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from docutils import nodes

HERE = Path(__file__).resolve().parent

# The one place the repository's address is set: the launch buttons, the repository
# button and (checked by tests/test_book.py) the README's badges all use it.
REPO = "weighted-losses/weighted-losses-course"
BRANCH = "main"
REPO_URL = f"https://github.com/{REPO}"
OWNER, NAME = REPO.split("/")
SITE_URL = f"https://{OWNER}.github.io/{NAME}/"

project = "Weighted Losses"
author = "the Weighted Losses course authors"
copyright = "the Weighted Losses course authors, MIT licence"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
]

root_doc = "index"
exclude_patterns = ["_include", "**/.ipynb_checkpoints"]

# ---- notebooks and Markdown ----
nb_execution_mode = "off"  # committed outputs only
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3  # ../README.md#course-map and other heading links resolve
myst_dmath_double_inline = True

# MathJax 3 served by the site itself (from the sphinx-mathjax-offline package), so pages
# render their equations offline too; copy_mathjax puts the files in place.
mathjax_path = "mathjax/tex-chtml.js"
MATHJAX_PARTS = ("tex-chtml.js", "input", "output", "ui", "a11y")

# ---- API reference from the docstrings ----
# A package with __all__ documents those names (wloss.losses.rwwce); its submodules then skip
# what the package already exports, so each function is documented once, under its public name.
autodoc_default_options = {"undoc-members": False}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True  # an Attributes section is a field list, not a second description of the attribute

# ---- HTML ----
html_theme = "sphinx_book_theme"
html_title = "Weighted Losses"
html_baseurl = SITE_URL
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": REPO_URL,
    "repository_branch": BRANCH,
    "path_to_docs": "",  # the site's lectures/ is the repository's lectures/ (see tools/build_book.py)
    "use_repository_button": True,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "use_download_button": True,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    "show_prev_next": True,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"

def write_api_pages(app) -> None:
    """One page per module of wloss (found by walking the package), written before reading."""
    import wloss

    folder = HERE / "api"
    folder.mkdir(exist_ok=True)
    names = ["wloss"] + sorted(
        info.name for info in pkgutil.walk_packages(wloss.__path__, "wloss.")
        if not any(part.startswith("_") for part in info.name.split("."))
    )
    for name in names:
        members = documented_members(name)
        options = f"   :members: {', '.join(members)}\n" if members else ""
        page = folder / f"{name}.md"  # autodoc writes reST, hence eval-rst
        text = f"# `{name}`\n\n```{{eval-rst}}\n.. automodule:: {name}\n{options}```\n"
        if not page.is_file() or page.read_text() != text:  # keep Sphinx's incremental build incremental
            page.write_text(text)
    for stale in folder.glob("wloss*.md"):
        if stale.stem not in names:
            stale.unlink()


def documented_members(name: str) -> list[str]:
    """The names documented on a module's page, each object once, under its public name.

    A module with ``__all__`` documents those names (so ``wloss.losses.rwwce`` is on the
    page of ``wloss.losses``); otherwise its public functions and classes. A submodule
    leaves out what its parent package already exports.
    """
    import inspect

    module = importlib.import_module(name)
    if hasattr(module, "__all__"):
        members = list(module.__all__)
    else:
        members = [key for key, value in vars(module).items()
                   if not key.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
                   and value.__module__ == name]
    if "." in name:
        parent = importlib.import_module(name.rsplit(".", 1)[0])
        exported = set(getattr(parent, "__all__", ()))
        members = [m for m in members if not (m in exported and getattr(parent, m, None) is getattr(module, m, None))]
    return members


def mark_notebook_pages(app, doctree) -> None:
    """Solutions say so at the top; every notebook page says how to run it."""
    docname = app.env.docname
    folder, _, stem = docname.partition("/")
    if folder not in {"lectures", "exercises", "solutions"} or not stem:
        return
    sections = list(doctree.findall(nodes.section))
    if not sections:
        return
    first = sections[0]
    title = first[0] if first.children and isinstance(first[0], nodes.title) else None
    notes = []
    if folder == "solutions":
        if title is not None and title.astext().startswith("Exercise"):
            title.children = [nodes.Text("Solution" + title.astext()[len("Exercise"):])]
        notes.append(_admonition("important", "Solution", [
            "This page shows the worked solution, with the checks' hidden cases. Try ",
            nodes.reference("", "the exercise", refuri=f"../exercises/{stem}.html"), " first."]))
    notes.append(_admonition("tip", "Run it", [
        "The rocket button at the top opens this notebook on Binder. On your own machine: ",
        nodes.literal(text=f"git clone {REPO_URL}.git && cd {NAME} && make lab"),
        ", then open ", nodes.literal(text=f"{docname}.ipynb"), " in JupyterLab."]))
    position = 1 if title is not None else 0
    for note in reversed(notes):
        first.insert(position, note)


def _admonition(kind: str, heading: str, parts) -> nodes.Element:
    paragraph = nodes.paragraph()
    paragraph.extend(nodes.Text(part) if isinstance(part, str) else part for part in parts)
    node = nodes.admonition(classes=[kind])
    node += nodes.title(text=heading)
    node += paragraph
    return node


def plain_math_docstrings(app, what, name, obj, options, lines) -> None:
    """Read the library's plain-math docstrings as their authors mean them.

    The docstrings write formulas in plain text (``|p_i - y_i|``, an indented matrix after
    "With amount m_i ...:"). In reST, bars start substitutions and an indented block after a
    paragraph is an error; so bars outside code are escaped, and a paragraph ending in one
    colon before an indented block gets the second colon that makes the block literal.
    Runs after napoleon (priority 600), on the reST it produced; the files are not changed.
    """
    literal_indent, doctest = None, False
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        doctest = stripped.startswith(">>>") or (doctest and bool(stripped))  # a doctest runs to a blank line
        if literal_indent is not None and stripped and indent <= literal_indent:
            literal_indent = None
        if literal_indent is None and stripped.endswith(":") and not stripped.endswith("::") \
                and not stripped.startswith((":", "..")):
            following = next((l for l in lines[i + 1:] if l.strip()), "")
            if following and len(following) - len(following.lstrip()) > indent:
                line = lines[i] = line + ":"
                stripped += ":"
        if literal_indent is not None or doctest:
            continue
        if stripped.endswith("::"):
            literal_indent = indent
        lines[i] = _escape_bars(line)


def _escape_bars(line: str) -> str:
    """Escape | outside ``inline code``."""
    parts = line.split("``")
    for j in range(0, len(parts), 2):
        parts[j] = parts[j].replace("\\|", "|").replace("|", "\\|")
    return "``".join(parts)


def copy_mathjax(app, exception) -> None:
    """Copy the parts of MathJax that tex-chtml.js loads into the built site's _static/mathjax."""
    import importlib.util
    import shutil

    if exception is not None or app.builder.format != "html":
        return
    source = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static" / "mathjax"
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def setup(app):
    app.connect("build-finished", copy_mathjax)
    app.connect("builder-inited", write_api_pages)
    app.connect("autodoc-process-docstring", plain_math_docstrings, priority=600)
    app.connect("doctree-read", mark_notebook_pages, priority=400)  # before the title is collected
    return {"parallel_read_safe": True}
