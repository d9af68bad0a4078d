"""tools/run_stage.py and tools/test_portable.py: retry only what can flake; simulate other CPUs."""
import os
import sys
import textwrap
from pathlib import Path

import notebook_utils  # noqa: F401  (puts tools/ on sys.path)
import pytest
import run_stage
import test_portable
import test_summary

STARTUP = "failed on setup with \"RuntimeError: Kernel died before replying to kernel_info\""
MISMATCH = textwrap.dedent("""\
    Notebook cell execution failed
    #x1B[94mCell 1: Cell outputs differ

     assert reference_output == test_output failed:

        x = 1
      - difference 1.4e-17
      + difference 0.0e+00
        z
    """)
EXCEPTION = "Cell 2: Cell execution caused an exception\n#x1B[31mZeroDivisionError#x1B[39m: division by zero\n"


def junit(path, cases):
    """cases: (classname, name, kind, text) with kind in passed/failure/error."""
    body = []
    for classname, name, kind, text in cases:
        inner = "" if kind == "passed" else f"<{kind} message='{kind}'><![CDATA[{text}]]></{kind}>"
        body.append(f'<testcase classname="{classname}" name="{name}">{inner}</testcase>')
    path.write_text(f'<?xml version="1.0"?><testsuites><testsuite>{"".join(body)}</testsuite></testsuites>')
    return path


def test_only_kernel_startup_failures_are_retried_a_notebook_once(tmp_path):
    report = junit(tmp_path / "n.xml", [
        ("lectures.01_x.ipynb", "Cell 0", "error", STARTUP),
        ("lectures.01_x.ipynb", "Cell 1", "failure", "Kernel dead on test start"),
        ("lectures.02_y.ipynb", "Cell 1", "failure", MISMATCH),
        ("solutions.03_z.ipynb", "Cell 2", "failure", EXCEPTION),
        ("lectures.04_w.ipynb", "Cell 0", "passed", ""),
    ])
    assert run_stage.retry_targets(run_stage.failures(report)) == ["lectures/01_x.ipynb"]


def test_library_tests_are_retried_by_node_id(tmp_path):
    report = junit(tmp_path / "t.xml", [
        ("tests.test_course_notebooks", "test_exercise_checks_fail[exercises/01_x.ipynb]", "error",
         "TimeoutError: Kernel didn't respond in 60 seconds"),
        ("tests.test_a.TestB", "test_c", "error", "zmq.error.ZMQError: Address already in use"),
        ("tests.test_a", "test_d", "failure", "assert 1 == 2"),
    ])
    assert run_stage.retry_targets(run_stage.failures(report)) == [
        "tests/test_course_notebooks.py::test_exercise_checks_fail[exercises/01_x.ipynb]",
        "tests/test_a.py::TestB::test_c"]


def test_a_missing_report_has_no_failures(tmp_path):
    assert run_stage.failures(tmp_path / "absent.xml") == []


def fake_pytest(monkeypatch, outcomes):
    """Replace the pytest subprocess: each call writes the next report and returns its status."""
    calls = []

    def call(command):
        calls.append(command)
        report_option = next(arg for arg in command if arg.startswith("--junitxml="))
        cases, status = outcomes[len(calls) - 1]
        junit(Path(report_option.split("=", 1)[1]), cases)
        return status

    monkeypatch.setattr(run_stage.subprocess, "call", call)
    return calls


def test_a_real_failure_is_reported_once_and_never_rerun(tmp_path, monkeypatch):
    calls = fake_pytest(monkeypatch, [([("lectures.02_y.ipynb", "Cell 1", "failure", MISMATCH)], 1)])
    assert run_stage.run(str(tmp_path / "nbval.xml"), ["lectures"], ["-n2", "--nbval"]) == 1
    assert len(calls) == 1


def test_a_startup_failure_is_rerun_without_xdist_and_can_recover(tmp_path, monkeypatch):
    calls = fake_pytest(monkeypatch, [
        ([("lectures.01_x.ipynb", "Cell 0", "error", STARTUP)], 1),
        ([("lectures.01_x.ipynb", "Cell 0", "passed", "")], 0),
    ])
    assert run_stage.run(str(tmp_path / "nbval.xml"), ["lectures", "solutions"],
                         ["-n2", "--dist=loadscope", "--nbval"]) == 0
    assert calls[1][-1] == "lectures/01_x.ipynb" and "--nbval" in calls[1]
    assert not any(arg.startswith(("-n", "--dist")) for arg in calls[1][3:])
    assert (tmp_path / "nbval-retry.xml").is_file()


def test_a_recovered_startup_failure_does_not_hide_a_real_one(tmp_path, monkeypatch):
    fake_pytest(monkeypatch, [
        ([("lectures.01_x.ipynb", "Cell 0", "error", STARTUP),
          ("lectures.02_y.ipynb", "Cell 1", "failure", MISMATCH)], 1),
        ([("lectures.01_x.ipynb", "Cell 0", "passed", "")], 0),
    ])
    assert run_stage.run(str(tmp_path / "nbval.xml"), ["lectures"], ["--nbval"]) == 1


def test_the_summary_names_the_cell_and_its_first_differing_line(tmp_path, capsys):
    tests = junit(tmp_path / "t.xml", [("tests.test_a", "test_1", "passed", "")])
    nbval = junit(tmp_path / "n.xml", [("lectures.02_y.ipynb", "Cell 1", "failure", MISMATCH),
                                       ("solutions.03_z.ipynb", "Cell 2", "failure", EXCEPTION)])
    test_summary.main([str(tests), str(nbval), "--seconds", "3", "--status", "1"])
    out = capsys.readouterr().out
    assert ("lectures.02_y.ipynb::Cell 1\n      output differs: committed 'difference 0.0e+00'\n"
            "                        this run  'difference 1.4e-17'") in out
    assert "solutions.03_z.ipynb::Cell 2\n      raised ZeroDivisionError: division by zero" in out
    assert "  re-run  " not in out


def test_a_failure_the_retry_did_not_run_is_not_counted_as_recovered(tmp_path):
    first = junit(tmp_path / "n.xml", [("lectures.01_x.ipynb", "Cell 0", "error", STARTUP),
                                       ("lectures.02_y.ipynb", "Cell 1", "failure", MISMATCH)])
    retry = junit(tmp_path / "r.xml", [("lectures.01_x.ipynb", "Cell 0", "passed", "")])
    merged, recovered = test_summary.merge(test_summary.read_junit(first), test_summary.read_junit(retry))
    assert recovered == ["lectures.01_x.ipynb::Cell 0"]
    assert merged.failed == ["lectures.02_y.ipynb::Cell 1"]


def test_profiles_switch_off_what_this_cpu_has():
    profiles = test_portable.profiles()
    assert set(profiles) == {"older-cpu", "avx2"}
    older = profiles["older-cpu"]
    assert older["ATEN_CPU_CAPABILITY"] == "default" and older["MKL_ENABLE_INSTRUCTIONS"] == "SSE4_2"
    assert older["NPY_DISABLE_CPU_FEATURES"].split() == test_portable.numpy_dispatch_features()
    assert {older[v] for v in test_portable.THREAD_VARIABLES} == {"1"}
    assert {profiles["avx2"][v] for v in test_portable.THREAD_VARIABLES} == {"3"}
    assert test_portable.beyond_avx2(["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]) == [
        "X86_V4", "AVX512_ICL", "AVX512_SPR"]
    assert test_portable.beyond_avx2(["ASIMD", "ASIMDHP"]) == []


@pytest.mark.skipif(sys.platform != "linux" or os.uname().machine != "x86_64", reason="x86-64 kernels")
def test_the_older_cpu_profile_takes_effect_in_a_fresh_interpreter():
    env = {**os.environ, **test_portable.profiles()["older-cpu"]}
    assert test_portable.probe(env) == "PyTorch kernels DEFAULT, NumPy SIMD beyond baseline: -"


@pytest.mark.skipif(sys.platform != "linux" or os.uname().machine != "x86_64", reason="x86-64 kernels")
def test_the_avx2_profile_keeps_avx2_and_drops_what_lies_beyond():
    env = {**os.environ, **test_portable.profiles()["avx2"]}
    capability, features = test_portable.probe(env).split(", NumPy SIMD beyond baseline: ")
    assert capability == "PyTorch kernels AVX2"
    assert "X86_V4" not in features and "AVX512" not in features


def test_an_unknown_profile_is_refused(capsys):
    assert test_portable.main(["pentium", "--"]) == 2
    assert "choose from older-cpu avx2" in capsys.readouterr().err
