"""The website's tooling: the link and asset checker, the staging of notebooks, the API pages,
the docstring reading, and the one setting for the repository's address.

`make book` itself (Sphinx -W, then tools/check_site.py over the result) runs in CI after
`make test`; tests/browser/test_site.py opens the built site in Chromium.
"""
import ast
import re

import nbformat
import pytest
import yaml

import notebook_utils  # noqa: F401  (puts tools/ on sys.path)
from notebook_utils import ROOT

import build_book
import check_site


def conf_value(name):
    """A constant of book/conf.py, read without importing Sphinx."""
    tree = ast.parse((ROOT / "book" / "conf.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(name)


@pytest.fixture(scope="module")
def conf():
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_conf", ROOT / "book" / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- the link and asset checker ----

def write_site(folder, pages):
    for name, html in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><body>{html}</body></html>")
    return folder


GOOD = {
    "index.html": '<a href="lectures/01.html#goals">goals</a> <img src="_images/f.png"> '
                  '<a href="https://example.org/x">out</a> <a href="#top" id="top">top</a>',
    "lectures/01.html": '<h2 id="goals">Goals</h2><a href="../index.html">home</a>'
                        '<a href="../api/">api</a><script src="../_static/x.js"></script>',
    "api/index.html": "<p>API</p>",
    "_images/f.png": "",
    "_static/x.js": "",
    "_static/fragment.html": "<link href=\"{{ pathto('x.css', 1) }}\">",  # a theme template, not a page
}


def test_a_sound_site_has_no_problems(tmp_path):
    assert check_site.check(write_site(tmp_path, GOOD)) == []


@pytest.mark.parametrize("page, html, why", [
    ("index.html", '<a href="lectures/02.html">missing page</a>', "no such file"),
    ("index.html", '<img src="_images/missing.png">', "no such file"),
    ("lectures/01.html", '<a href="01.html#nowhere">bad anchor</a>', "no element with id 'nowhere'"),
    ("index.html", '<a href="#nowhere">bad anchor on the same page</a>', "no element with id 'nowhere'"),
    ("index.html", '<a href="../../etc/passwd">outside</a>', "no such file"),
    ("index.html", '<link href="_static/missing.css">', "no such file"),
    ("lectures/01.html", '<a href="../lectures/01.ipynb">a notebook link left unresolved</a>', "no such file"),
])
def test_each_kind_of_broken_reference_is_reported(tmp_path, page, html, why):
    pages = dict(GOOD)
    pages[page] = pages[page] + html
    problems = check_site.check(write_site(tmp_path, pages))
    assert len(problems) == 1 and why in problems[0] and problems[0].startswith(page), problems


def test_an_unbuilt_site_is_a_problem(tmp_path):
    assert "no index.html" in check_site.check(tmp_path)[0]


# ---- staging: what the site is made of, found by glob ----

def test_staging_copies_every_numbered_notebook_and_the_pages(tmp_path, monkeypatch):
    fake = tmp_path / "repo"
    (fake / "book").mkdir(parents=True)
    (fake / "book" / "conf.py").write_text("")
    for folder in build_book.FOLDERS:
        (fake / folder).mkdir()
        for stem in ("00_start", "13_added_later"):
            nbformat.write(nbformat.v4.new_notebook(), fake / folder / f"{stem}.ipynb")
        nbformat.write(nbformat.v4.new_notebook(), fake / folder / "scratch.ipynb")
    for page in (*build_book.PAGES, "README.md"):
        (fake / page).write_text(f"# {page}\n")
    monkeypatch.setattr(build_book, "ROOT", fake)
    src = build_book.stage(tmp_path / "out")
    for folder in build_book.FOLDERS:
        assert sorted(p.name for p in (src / folder).iterdir()) == ["00_start.ipynb", "13_added_later.ipynb"]
    assert (src / "_include" / "README.md").is_file() and (src / "INSTRUCTORS.md").is_file()
    assert (src / "conf.py").is_file()


def test_the_table_of_contents_finds_notebooks_by_glob():
    index = (ROOT / "book" / "index.md").read_text()
    for folder in build_book.FOLDERS:
        assert f"{folder}/[0-9][0-9]_*" in index
    for page in ("README", "INSTRUCTORS", "CONTRIBUTING", "api/index"):
        assert re.search(rf"^{re.escape(page)}$", index, re.M), page


def test_course_map_page_takes_the_table_from_the_readme():
    page = (ROOT / "book" / "README.md").read_text()
    readme = (ROOT / "README.md").read_text()
    start = re.search(r':start-after: "(.*)"', page).group(1)
    end = re.search(r':end-before: "(.*)"', page).group(1)
    assert readme.count(start) == 1 and readme.count(end) == 1
    assert readme.index(start) < readme.index("| # | lecture") < readme.index(end)


# ---- the API reference ----

def test_each_function_is_documented_once_under_its_public_name(conf):
    assert "rwwce" in conf.documented_members("wloss.losses")
    assert "rwwce" not in conf.documented_members("wloss.losses.multiclass")
    assert "load_mnist" in conf.documented_members("wloss.data")
    assert "load_mnist" not in conf.documented_members("wloss.data.mnist")
    assert "rwwce" in conf.documented_members("wloss.reference")  # the NumPy reference has its own


def test_plain_math_in_docstrings_reads_as_meant(conf):
    lines = [
        "Mean of |p_i - y_i| over i; ``a | b`` is code.",
        "",
        "With amount m and fee f:",
        "",
        "    legit : [0, f + m]",
        "",
        ">>> abs(-1) | 2",
        "3",
        "",
        "Done |x|.",
    ]
    conf.plain_math_docstrings(None, "function", "f", None, {}, lines)
    assert lines[0] == r"Mean of \|p_i - y_i\| over i; ``a | b`` is code."
    assert lines[2] == "With amount m and fee f::"  # the indented block becomes literal, as written
    assert lines[4] == "    legit : [0, f + m]"
    assert lines[6:8] == [">>> abs(-1) | 2", "3"]  # doctests untouched
    assert lines[9] == r"Done \|x\|."


def test_a_docstring_without_plain_math_is_unchanged(conf):
    lines = ["Parameters:", "", ":param x: the input", "", "Example::", "", "    y = a | b", ""]
    before = list(lines)
    conf.plain_math_docstrings(None, "function", "f", None, {}, lines)
    assert lines == before


# ---- one setting for the repository's address ----

def test_readme_badges_and_links_use_the_repository_setting():
    repo = conf_value("REPO")
    owner, name = repo.split("/")
    readme = (ROOT / "README.md").read_text()
    assert "OWNER/REPO" not in readme
    github = re.findall(r"https://github\.com/([\w.-]+/[\w.-]+)", readme)
    binder = re.findall(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/", readme)
    pages = re.findall(r"https://([\w.-]+)\.github\.io/([\w.-]+)/", readme)
    assert github and binder and pages
    assert set(github) == set(binder) == {repo}
    assert set(pages) == {(owner, name)}
    assert re.search(r"\[!\[tests\]\(https://github\.com/[^)]*/actions/workflows/ci\.yml/badge\.svg\)", readme)
    assert "actions/workflows/book.yml/badge.svg" in readme
    for workflow in ("ci.yml", "book.yml"):
        assert (ROOT / ".github" / "workflows" / workflow).is_file()


def test_binder_builds_from_environment_yml_and_opens_jupyterlab(conf):
    options = conf.html_theme_options
    assert options["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert options["repository_url"] == f"https://github.com/{conf_value('REPO')}"
    assert options["path_to_docs"] == ""  # lectures/ on the site is lectures/ in the repository
    assert (ROOT / "environment.yml").is_file()


# ---- CI builds it, and deploys only from main ----

def test_workflow_builds_on_every_push_and_deploys_from_main():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as True
    assert "push" in triggers and "pull_request" in triggers
    build = workflow["jobs"]["build"]
    assert any(step.get("run") == "make book" for step in build["steps"])
    deploy = workflow["jobs"]["deploy"]
    assert "refs/heads/main" in deploy["if"] and deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


def test_ci_script_builds_the_book_after_the_tests():
    script = (ROOT / ".ci" / "run").read_text()
    assert script.index("make test\n") < script.index("make book\n")
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^book: \$\(STAMP\)", makefile, re.M)
    assert "tools/build_book.py" in makefile
