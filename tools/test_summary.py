"""The one-screen summary `make test` ends with, read from pytest's JUnit XML reports.

Usage: python tools/test_summary.py --seconds N --status S TESTS.xml[,RETRY.xml] NOTEBOOKS.xml[,RETRY.xml]

Each argument is a first run and, optionally after a comma, the re-run of what failed in it
(`make test` re-runs failures once, because a Jupyter kernel occasionally dies at start-up).
"""
from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

MAX_LISTED = 8


@dataclass
class Report:
    """Counts of one pytest run read from its JUnit XML file."""

    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: int = 0
    files: set[str] = field(default_factory=set)
    found: bool = False


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
        if case.find("failure") is not None or case.find("error") is not None:
            report.failed.append(name)
        elif case.find("skipped") is not None:
            report.skipped += 1
        else:
            report.passed += 1
    return report


def _file_of(classname: str) -> str:
    """'lectures.01_x.ipynb' -> 'lectures/01_x.ipynb'; 'tests.test_a.TestB' -> 'tests/test_a.py'."""
    if ".ipynb" in classname:
        stem = classname[: classname.index(".ipynb")]
        folder, _, name = stem.partition(".")
        return f"{folder}/{name}.ipynb"
    parts = [part for part in classname.split(".") if part and not part[0].isupper()]
    return "/".join(parts) + ".py"


def merge(first: Report, retry: Report) -> tuple[Report, list[str]]:
    """Failures of the first run that passed when re-run count as passed; return them as well."""
    if not retry.found:
        return first, []
    still_failing = set(retry.failed)
    recovered = [name for name in first.failed if name not in still_failing]
    merged = Report(first.passed + len(recovered), [n for n in first.failed if n in still_failing],
                    first.skipped, first.files, True)
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
        lines.append(f"  re-run     {len(recovered)} failed at first and passed when re-run "
                     "(look at the first failure above: flaky?)")
        lines += [f"    {name}" for name in recovered[:MAX_LISTED]]
    failed = tests.failed + notebooks.failed
    if failed:
        lines += ["", "  failed:"] + [f"    {name}" for name in failed[:MAX_LISTED]]
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
