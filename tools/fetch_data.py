"""Make sure the course's data are on this machine: the step `make lab`, `make test` and `make replicate` run first.

Only MNIST (lecture 08 and its exercise and solution) is not generated or shipped. This script

- finds the four original files in ``$WLOSS_DATA/mnist`` or the user cache and checks their MD5;
- otherwise downloads them once into the user cache (``~/.cache/wloss/mnist``), with a progress
  bar, from ``$WLOSS_MNIST_MIRROR`` or the default public mirrors, all four or nothing;
- and when that is impossible (offline, no copy), prints one message saying what is missing,
  where it looked and how to provide it, and exits with status 1 before anything else runs.

Usage: ``python tools/fetch_data.py`` (what ``make data`` runs).
"""
from __future__ import annotations

import os
import sys

from wloss.data import mnist

EXIT_MISSING = 1


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


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    return ensure_mnist()


if __name__ == "__main__":
    sys.exit(main())
