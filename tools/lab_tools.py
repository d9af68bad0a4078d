"""Which tools the course's JupyterLab shows: a student's (the default) or an instructor's.

Usage: python tools/lab_tools.py student|instructor [PREFIX]

nbgrader is installed in the course's environment because the tests and instructors use it, but
its JupyterLab menu ("Nbgrader"), its "Create Assignment" panel and its server pages (formgrader,
assignment and course lists, validation) are instructor tooling that a student should not meet
beside every lecture. `make lab` runs this with ``student`` (all of nbgrader's JupyterLab and
server extensions off); `make lab INSTRUCTOR=1` with ``instructor`` switches them on again. It
writes the environment's own Jupyter configuration under PREFIX/etc/jupyter (default: the
running interpreter's prefix, i.e. .venv), the same files `jupyter labextension disable
--level=sys_prefix` and `jupyter server extension disable --sys-prefix` write, in well under a
second.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

LAB_EXTENSION = "@jupyter/nbgrader"
SERVER_EXTENSIONS = [f"nbgrader.server_extensions.{name}"
                     for name in ("formgrader", "assignment_list", "course_list", "validate_assignment")]


def _update(path: Path, change) -> None:
    config = json.loads(path.read_text()) if path.is_file() else {}
    change(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n")


def set_tools(role: str, prefix: Path) -> None:
    """Switch nbgrader's JupyterLab and server extensions off (student) or on (instructor)."""
    if role not in ("student", "instructor"):
        raise ValueError(f"role must be 'student' or 'instructor', got {role!r}")
    enabled = role == "instructor"
    config = Path(prefix) / "etc" / "jupyter"
    _update(config / "labconfig" / "page_config.json",
            lambda c: c.setdefault("disabledExtensions", {}).update({LAB_EXTENSION: not enabled}))
    _update(config / "jupyter_server_config.json",
            lambda c: c.setdefault("ServerApp", {}).setdefault("jpserver_extensions", {}).update(
                {name: enabled for name in SERVER_EXTENSIONS}))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("student", "instructor") or len(argv) > 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    set_tools(argv[0], Path(argv[1]) if len(argv) > 1 else Path(sys.prefix))
    print("JupyterLab for instructors: nbgrader's tools are on" if argv[0] == "instructor" else
          "JupyterLab for students: nbgrader's tools are off (instructors: make lab INSTRUCTOR=1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
