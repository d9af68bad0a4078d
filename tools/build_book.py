"""Build the course's website: `make book`.

1. Stage: copy book/ and the course's notebooks and pages into build/book/src, keeping the
   repository's layout (so relative links between notebooks resolve) and the files' times
   (so Sphinx rebuilds only what changed).
2. Build: Sphinx with myst-nb, from the committed outputs (no execution), warnings as errors.
3. Check: every internal link, anchor and image of the built HTML resolves (tools/check_site.py).

Usage: python tools/build_book.py [--out build/book]
The site is then in build/book/html (open build/book/html/index.html).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("lectures", "exercises", "solutions")
PAGES = ("INSTRUCTORS.md", "CONTRIBUTING.md")


def stage(out: Path) -> Path:
    """Copy what the site is made of into ``out / "src"``; return that folder."""
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(ROOT / "book", src, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in FOLDERS:
        (src / folder).mkdir()
        for notebook in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            shutil.copy2(notebook, src / folder / notebook.name)
    for page in PAGES:
        shutil.copy2(ROOT / page, src / page)
    (src / "_include").mkdir()
    shutil.copy2(ROOT / "README.md", src / "_include" / "README.md")
    return src


def build(out: Path, jobs: str = "auto") -> int:
    src = stage(out)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
               "-j", jobs, "-d", str(out / "doctrees"), str(src), str(out / "html")]
    return subprocess.call(command, cwd=ROOT)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "book")
    parser.add_argument("--jobs", default="auto", help="Sphinx's -j (default: auto)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    status = build(args.out, args.jobs)
    if status != 0:
        print("make book: Sphinx reported warnings or errors (above); the site is not published", file=sys.stderr)
        return status
    import check_site

    problems = check_site.check(args.out / "html")
    for problem in problems:
        print(problem, file=sys.stderr)
    pages = len(list((args.out / "html").rglob("*.html")))
    print(f"make book: {pages} pages in {args.out / 'html'} in {time.monotonic() - start:.0f} s; "
          f"{'links and images all resolve' if not problems else f'{len(problems)} broken links or images'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
