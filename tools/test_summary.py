"""The one-screen summary `make test` ends with, read from pytest's JUnit XML reports.

Usage: python tools/test_summary.py --seconds N --status S TESTS.xml[,RETRY.xml] NOTEBOOKS.xml[,RETRY.xml]

Each argument is a first run and, optionally after a comma, the re-run of what failed in it
(tools/run_stage.py re-runs only what failed while a Jupyter kernel started). Every failure
left is listed once with what went wrong: for a notebook cell, the first line whose output
differs (committed and this run) or the exception it raised.
"""
from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

MAX_LISTED = 8
WIDTH = 80
ANSI = re.compile(r"(?:#x1B|\x1b)\[[0-9;]*m")


@dataclass
class Report:
    """Counts of one pytest run read from its JUnit XML file."""

    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: int = 0
    files: set[str] = field(default_factory=set)
    found: bool = False
    passed_names: set[str] = field(default_factory=set)
    why: dict[str, str] = field(default_factory=dict)


def read_junit(path) -> Report:
    """Count passed, failed and skipped test cases, and the files they came from."""
    report = Report()
    path = Path(path)
    if not path.is_file():
        return report
    report.found = True
    for case in ET.parse(path).iter("testcase"):
        classname = case.get("classname", "")
        name = f"{classname}::{case.get('name', '')}"
        report.files.add(_file_of(classname))
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        if problem is not None:
            report.failed.append(name)
            report.why[name] = what_went_wrong(f"{problem.get('message', '')}\n{problem.text or ''}")
        elif case.find("skipped") is not None:
            report.skipped += 1
        else:
            report.passed += 1
            report.passed_names.add(name)
    return report


def what_went_wrong(text: str) -> str:
    """One line from a failure's report: the first differing output line, or the exception raised."""
    lines = [line.rstrip() for line in ANSI.sub("", text).splitlines()]
    if "Cell outputs differ" in text:
        committed = next((line[4:] for line in lines if line.startswith("  + ")), "?")
        this_run = next((line[4:] for line in lines if line.startswith("  - ")), "?")
        return f"output differs: committed {_short(committed)!r}\n                  this run  {_short(this_run)!r}"
    if re.search(r"Kernel died|Kernel didn't respond|Kernel dead|DeadKernelError", text):
        return "the Jupyter kernel died or did not answer at start-up"
    raised = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Failed|Interrupt|Exit)\b", line)]
    return _short(f"raised {raised[-1]}" if raised else next((line for line in lines if line.strip()), "failed"))


def _short(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 3] + "..."


def _file_of(classname: str) -> str:
    """'lectures.01_x.ipynb' -> 'lectures/01_x.ipynb'; 'tests.test_a.TestB' -> 'tests/test_a.py'."""
    if ".ipynb" in classname:
        stem = classname[: classname.index(".ipynb")]
        folder, _, name = stem.partition(".")
        return f"{folder}/{name}.ipynb"
    parts = [part for part in classname.split(".") if part and not part[0].isupper()]
    return "/".join(parts) + ".py"


def merge(first: Report, retry: Report) -> tuple[Report, list[str]]:
    """Failures of the first run that passed when re-run count as passed; return them as well.

    Only what was re-run can recover: a failure the retry did not run stays a failure, and a
    failure of the retry replaces the first run's reason.
    """
    if not retry.found:
        return first, []
    recovered = [name for name in first.failed if name in retry.passed_names]
    still = [name for name in first.failed if name not in retry.passed_names]
    why = {name: retry.why.get(name, first.why.get(name, "")) for name in still}
    merged = Report(first.passed + len(recovered), still, first.skipped, first.files, True,
                    first.passed_names | set(recovered), why)
    return merged, recovered


def duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def summary(tests: Report, notebooks: Report, recovered: list[str], seconds: float, status: int,
            notebooks_left_out: str = "") -> str:
    """The text printed at the end of `make test`."""
    line = "=" * 72
    nb_files = sorted(f for f in notebooks.files if f.endswith(".ipynb"))
    lines = [line, f"make test: {'PASSED' if status == 0 else 'FAILED'} in {duration(seconds)}", ""]
    if tests.found:
        lines.append(f"  tests      {tests.passed:5d} passed   {len(tests.failed):3d} failed   "
                     f"{tests.skipped:3d} skipped   in {len(tests.files)} test files")
    else:
        lines.append("  tests      no report (pytest did not start)")
    if notebooks.found:
        lines.append(f"  notebooks  {len(nb_files):5d} run      {len(notebooks.failed):3d} cells failed   "
                     f"({notebooks.passed} cells compared with their committed outputs)")
    else:
        lines.append("  notebooks  not run")
    if notebooks_left_out:
        lines.append(f"  left out   {notebooks_left_out}")
    if recovered:
        lines.append(f"  re-run     {len(recovered)} failed while a Jupyter kernel started and passed when re-run")
        lines += [f"    {name}" for name in recovered[:MAX_LISTED]]
    failed = tests.failed + notebooks.failed
    why = {**tests.why, **notebooks.why}
    if failed:
        lines += ["", "  failed (each once; only kernel start-up failures are re-run):"]
        for name in failed[:MAX_LISTED]:
            lines.append(f"    {name}")
            lines += [f"      {line}" for line in why.get(name, "").splitlines()]
        if len(failed) > MAX_LISTED:
            lines.append(f"    ... and {len(failed) - MAX_LISTED} more (see the output above)")
    lines.append(line)
    return "\n".join(lines)


def _pair(argument: str) -> tuple[Report, list[str]]:
    first, _, retry = argument.partition(",")
    return merge(read_junit(first), read_junit(retry) if retry else Report())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests")
    parser.add_argument("notebooks")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--status", type=int, required=True)
    parser.add_argument("--left-out", default="", help="notebooks deliberately not run, to name them")
    args = parser.parse_args(argv)
    tests, recovered_tests = _pair(args.tests)
    notebooks, recovered_notebooks = _pair(args.notebooks)
    print(summary(tests, notebooks, recovered_tests + recovered_notebooks, args.seconds, args.status,
                  args.left_out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
