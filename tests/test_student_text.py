"""What a student reads: no internal words, no machine paths, no warnings, no bare asserts.

Lectures invite students to change numbers and re-run; a claim about a run is
printed by ``wloss.notebook.claim`` rather than asserted, and nbval's per-cell
switches are cell tags, not comments in the student's code. Committed outputs
and documents must not carry the author's machine: absolute paths, a home
directory, a kernel's temporary file, or a warning printed to stderr.
"""
import json
import re

import pytest

from notebook_utils import ROOT, notebooks, read

NOTEBOOKS = notebooks("lectures") + notebooks("exercises") + notebooks("solutions")
DOCUMENTS = [ROOT / "README.md", ROOT / "INSTRUCTORS.md", ROOT / "CONTRIBUTING.md",
             *sorted((ROOT / "results").glob("*.md"))]
nb_id = lambda p: f"{p.parent.name}/{p.stem}"  # noqa: E731
doc_id = lambda p: str(p.relative_to(ROOT))  # noqa: E731

#: Words that point at material a student cannot look up.
INTERNAL = re.compile(r"seed lecture|seed 00\d|the seeds'|seed documents?|course notes|shared/(notes|seeds|data)"
                      r"|\.\./shared", re.I)
#: Absolute paths of a machine: home directories, the kernel's temporary files, this checkout.
MACHINE = re.compile("|".join([r"/home/[\w.-]+", r"/Users/[\w.-]+", r"/root/", r"/tmp/", r"/work/",
                               r"[A-Za-z]:\\\\Users", re.escape(str(ROOT))]))


def markdown_and_code(path):
    return [(i, c) for i, c in enumerate(read(path).cells)]


@pytest.mark.parametrize("path", NOTEBOOKS + DOCUMENTS, ids=lambda p: nb_id(p) if p.suffix == ".ipynb" else doc_id(p))
def test_no_internal_words(path):
    texts = ([(f"cell {i}", c.source) for i, c in markdown_and_code(path)] if path.suffix == ".ipynb"
             else [("text", path.read_text())])
    found = [f"{where}: '{m.group(0)}'" for where, text in texts for m in [INTERNAL.search(text)] if m]
    assert not found, f"{path.name}: words a student cannot look up: {found}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=doc_id)
def test_no_machine_paths_in_documents(path):
    found = MACHINE.findall(path.read_text())
    assert not found, f"{path.name}: machine paths {found}"


@pytest.mark.parametrize("path", notebooks("lectures") + notebooks("solutions"), ids=nb_id)
def test_committed_outputs_hold_no_machine_path_and_no_warning(path):
    for index, cell in markdown_and_code(path):
        for output in cell.get("outputs", []):
            text = json.dumps(output.get("text", "")) + json.dumps(output.get("data", {}).get("text/plain", ""))
            text += json.dumps(output.get("traceback", []))
            match = MACHINE.search(text)
            assert not match, f"{path.name} cell {index}: machine path '{match.group(0)}' in output"
            if output.get("name") == "stderr":
                assert not re.search(r"Warning|warn\(", output["text"]), \
                    f"{path.name} cell {index}: a warning in the committed output: {output['text'][:200]!r}"


@pytest.mark.parametrize("path", notebooks("lectures"), ids=nb_id)
def test_lecture_claims_use_the_claim_helper(path):
    bare = [i for i, c in markdown_and_code(path)
            if c.cell_type == "code" and re.search(r"^\s*assert\b", c.source, re.M)]
    assert not bare, f"{path.name}: bare assert in cells {bare}: print claims with wloss.notebook.claim"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_no_nbval_comments_in_student_code(path):
    found = [i for i, c in markdown_and_code(path) if c.cell_type == "code" and "NBVAL" in c.source.upper()]
    assert not found, f"{path.name}: '# NBVAL_...' comment in cells {found}: use nbval's cell tags instead"


@pytest.mark.parametrize("path", sorted((ROOT / "lib" / "wloss").rglob("*.py")), ids=doc_id)
def test_library_docstrings_hold_no_internal_words(path):
    """The website renders the library's docstrings as its API reference."""
    match = INTERNAL.search(path.read_text())
    assert not match, f"{doc_id(path)}: '{match.group(0)}' (a reader cannot look this up)"
