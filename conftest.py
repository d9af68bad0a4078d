"""Settings for every pytest run in this repository, however it is started.

Progress bars (wloss.progress) are switched off so that notebooks re-run by
nbval print exactly what their committed outputs show, and the lectures'
claims are strict (wloss.notebook.claim raises when a claim does not hold, so
it fails its cell even where nbval does not compare the cell's output);
kernels started by nbval and by the notebook tests inherit this environment.
"""
import os

import pytest

os.environ.setdefault("WLOSS_PROGRESS", "0")
os.environ.setdefault("WLOSS_CLAIMS", "strict")


@pytest.fixture
def restore_global_state():
    """setup_notebook changes process-wide settings; put them back for the other tests in this worker."""
    import matplotlib
    import numpy as np
    import torch

    numpy_options, threads = np.get_printoptions(), torch.get_num_threads()
    rc = matplotlib.rcParams.copy()
    yield
    np.set_printoptions(**numpy_options)
    torch.set_num_threads(threads)
    torch.set_printoptions(profile="default")
    matplotlib.rcParams.update(rc)
