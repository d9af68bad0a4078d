"""Where the course's fetched data live, shared by ``wloss.data.mnist`` and ``wloss.data.keel``.

Each data set ``name`` is looked for in ``$WLOSS_DATA/<name>`` (when the
environment variable is set), then in the user cache
``$XDG_CACHE_HOME/wloss/<name>`` (default ``~/.cache/wloss/<name>``), which is
where a download goes. ``staging_folder`` makes a download all or nothing.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


def user_cache_dir(name: str) -> Path:
    """``$XDG_CACHE_HOME/wloss/<name>``, or ``~/.cache/wloss/<name>`` when XDG_CACHE_HOME is unset."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "wloss" / name


def search_dirs(name: str, root=None) -> list[Path]:
    """``root`` (if given), ``$WLOSS_DATA/<name>`` (if WLOSS_DATA is set), then the user cache."""
    dirs = [Path(root).expanduser()] if root is not None else []
    if os.environ.get("WLOSS_DATA"):
        dirs.append(Path(os.environ["WLOSS_DATA"]).expanduser() / name)
    dirs.append(user_cache_dir(name))
    return dirs


@contextmanager
def staging_folder(folder: Path):
    """A temporary folder beside ``folder`` to download into, removed when the block ends.

    The caller fills it and, once everything is verified, moves the files into
    ``folder`` (a rename on the same file system) inside the block. When the
    block raises, the temporary folder goes, and so does every parent of
    ``folder`` that was created for it and is still empty: a failed or
    interrupted download leaves nothing behind.
    """
    folder = Path(folder)
    created = [parent for parent in (folder.parent, *folder.parent.parents) if not parent.exists()]
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-download-"))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for parent in created:  # innermost first: leave no empty folder we made
            if parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)
