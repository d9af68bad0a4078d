"""Write the students' copy of the course: everything a student needs, nothing that gives an answer away.

The handout is the course's tracked files less what only an instructor may read:

- ``solutions/``: the answers (the nbgrader source notebooks);
- ``lib/wloss_grading/``: the hidden part of every check (hidden cases, references, prediction grading);
- ``tests/``: the checks' tests hold a right answer and several wrong ones for every task;
- ``INSTRUCTORS.md``: the outcomes of the predict-then-run tasks and the wrong answers each check rejects;
- the maintainers' CI set-up (``.ci/``, ``.github/``).

A student installs the handout with ``make lab`` as usual; the exercises' visible checks run from
``wloss.checks``, which holds no hidden case.

Usage::

    python tools/make_handout.py DEST      # DEST must not exist yet
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Tracked paths (a folder ends with "/") an instructor keeps out of the students' copy.
INSTRUCTOR_ONLY = ("solutions/", "lib/wloss_grading/", "tests/", "INSTRUCTORS.md", ".ci/", ".github/")


def handout_files(root: Path = ROOT) -> list[str]:
    """The tracked files of ``root`` that go to the students, as paths relative to it."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True).stdout
    paths = [p for p in tracked.decode().split("\0") if p]
    return [p for p in paths if not p.startswith(INSTRUCTOR_ONLY) and (root / p).is_file()]


def make_handout(dest: Path, root: Path = ROOT) -> list[str]:
    """Copy the handout into ``dest`` (which must not exist) and return the copied paths."""
    if dest.exists():
        raise FileExistsError(f"{dest} exists already; choose a new folder for the handout")
    files = handout_files(root)
    for relative in files:
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dest", type=Path, help="a new folder for the students' copy")
    files = make_handout(parser.parse_args(argv).dest)
    print(f"{len(files)} files written; left out: {', '.join(INSTRUCTOR_ONLY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
