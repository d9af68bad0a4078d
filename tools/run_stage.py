"""One stage of `make test`: run pytest once, then retry only what can flake.

Usage: python tools/run_stage.py REPORT.xml PATH... -- PYTEST_OPTION...

The one failure that is not the course's fault is a Jupyter kernel that dies or never answers
while it starts (two kernels starting at once can race for a port). Such a failure is retried
once: a notebook as a whole (its cells depend on each other), a library test by its node id.
Everything else (an output that differs, an exception in a cell, a failed assertion) is a real
failure: it is reported once and never re-run. The retry writes REPORT-retry.xml beside
REPORT.xml; tools/test_summary.py reads both.

Exit status: 0 when every failure was a start-up failure that passed when retried, else 1
(or pytest's own status when it could not run at all).
"""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

KERNEL_STARTUP = re.compile(
    r"Kernel died before replying to kernel_info|Kernel didn't respond in \d+ seconds"
    r"|Kernel dead on test start|DeadKernelError|Address already in use")
PYTEST_FAILED = 1  # pytest's exit status when tests ran and some failed


@dataclass(frozen=True)
class Failure:
    """One failed or errored test case of a JUnit report."""

    classname: str
    name: str
    text: str

    @property
    def at_kernel_startup(self) -> bool:
        return bool(KERNEL_STARTUP.search(self.text))

    @property
    def notebook(self) -> str | None:
        """'lectures.01_x.ipynb' -> 'lectures/01_x.ipynb'; None for a library test."""
        if ".ipynb" not in self.classname:
            return None
        folder, _, name = self.classname[: self.classname.index(".ipynb")].partition(".")
        return f"{folder}/{name}.ipynb"

    @property
    def node_id(self) -> str:
        """'tests.test_b.TestX' + 'test_3' -> 'tests/test_b.py::TestX::test_3'."""
        if self.notebook:
            return self.notebook
        parts = self.classname.split(".")
        modules = [p for p in parts if not p[:1].isupper()]
        classes = [p for p in parts if p[:1].isupper()]
        return "::".join(["/".join(modules) + ".py", *classes, self.name])


def failures(report) -> list[Failure]:
    """The failed and errored cases of a JUnit XML report (none if the file is missing)."""
    path = Path(report)
    if not path.is_file():
        return []
    found = []
    for case in ET.parse(path).iter("testcase"):
        for outcome in ("failure", "error"):
            element = case.find(outcome)
            if element is not None:
                text = f"{element.get('message', '')}\n{element.text or ''}"
                found.append(Failure(case.get("classname", ""), case.get("name", ""), text))
                break
    return found


def retry_targets(found: list[Failure]) -> list[str]:
    """What to re-run: start-up failures only, a notebook once however many of its cells failed."""
    targets = []
    for failure in found:
        if failure.at_kernel_startup and failure.node_id not in targets:
            targets.append(failure.node_id)
    return targets


def retry_report(report: str) -> str:
    return str(Path(report).with_name(Path(report).stem + "-retry.xml"))


def run(report: str, paths: list[str], options: list[str]) -> int:
    Path(report).parent.mkdir(parents=True, exist_ok=True)
    Path(retry_report(report)).unlink(missing_ok=True)
    status = subprocess.call([sys.executable, "-m", "pytest", *options, f"--junitxml={report}", *paths])
    if status not in (0, PYTEST_FAILED):
        return status
    found = failures(report)
    targets = retry_targets(found)
    if not targets:
        return 0 if status == 0 else 1
    print(f"\nRetrying {len(targets)} that failed while a Jupyter kernel started: {' '.join(targets)}", flush=True)
    retry_options = [option for option in options if not option.startswith(("-n", "--dist"))]
    retried = subprocess.call([sys.executable, "-m", "pytest", *retry_options,
                               f"--junitxml={retry_report(report)}", *targets])
    real_failures = [failure for failure in found if not failure.at_kernel_startup]
    return 0 if retried == 0 and not real_failures else 1


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv or argv.index("--") < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    split = argv.index("--")
    return run(argv[0], argv[1:split], argv[split + 1:])


if __name__ == "__main__":
    sys.exit(main())
