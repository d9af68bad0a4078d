"""tools/test_summary.py: the one-screen summary `make test` ends with, from JUnit XML reports."""
import notebook_utils  # noqa: F401  (puts tools/ on sys.path)
import test_summary


def junit(path, cases):
    """cases: (classname, name, outcome) with outcome in passed/failed/error/skipped."""
    body = []
    for classname, name, outcome in cases:
        inner = {"passed": "", "failed": "<failure message='x'/>", "error": "<error message='x'/>",
                 "skipped": "<skipped message='x'/>"}[outcome]
        body.append(f'<testcase classname="{classname}" name="{name}">{inner}</testcase>')
    path.write_text(f'<?xml version="1.0"?><testsuites><testsuite>{"".join(body)}</testsuite></testsuites>')
    return path


def test_counts_tests_files_and_notebooks(tmp_path, capsys):
    tests = junit(tmp_path / "t.xml", [("tests.test_a", "test_1", "passed"), ("tests.test_a", "test_2", "skipped"),
                                       ("tests.test_b.TestX", "test_3", "passed")])
    nbval = junit(tmp_path / "n.xml", [("lectures.01_x.ipynb", "Cell 0", "passed"),
                                       ("lectures.01_x.ipynb", "Cell 1", "passed"),
                                       ("solutions.01_x.ipynb", "Cell 0", "passed")])
    test_summary.main([f"{tests},{tmp_path / 'none.xml'}", str(nbval), "--seconds", "125", "--status", "0"])
    out = capsys.readouterr().out
    assert "make test: PASSED in 2 min 05 s" in out
    assert "    2 passed     0 failed     1 skipped   in 2 test files" in out
    assert "    2 run        0 cells failed   (3 cells compared" in out
    assert len(out.splitlines()) <= 24  # one screen


def test_a_failure_recovered_on_rerun_counts_as_passed_and_is_named(tmp_path, capsys):
    tests = junit(tmp_path / "t.xml", [("tests.test_a", "test_1", "passed"), ("tests.test_a", "test_2", "error")])
    retry = junit(tmp_path / "r.xml", [("tests.test_a", "test_2", "passed")])
    nbval = junit(tmp_path / "n.xml", [("lectures.08_x.ipynb", "Cell 3", "failed")])
    nbretry = junit(tmp_path / "nr.xml", [("lectures.08_x.ipynb", "Cell 3", "failed")])
    test_summary.main([f"{tests},{retry}", f"{nbval},{nbretry}", "--seconds", "9", "--status", "1"])
    out = capsys.readouterr().out
    assert "make test: FAILED in 9 s" in out
    assert "    2 passed     0 failed" in out
    assert "1 failed while a Jupyter kernel started and passed when re-run" in out
    assert "lectures.08_x.ipynb::Cell 3" in out and "tests.test_a::test_2" not in out.split("failed (each once")[-1]


def test_missing_reports_say_so(tmp_path, capsys):
    test_summary.main([str(tmp_path / "no.xml"), str(tmp_path / "no2.xml"), "--seconds", "1", "--status", "1",
                       "--left-out", "lectures/08_replication.ipynb (MNIST=skip)"])
    out = capsys.readouterr().out
    assert "no report" in out and "not run" in out and "left out   lectures/08_replication.ipynb" in out
