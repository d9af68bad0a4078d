"""Settings for every pytest run in this repository, however it is started.

Progress bars (wloss.progress) are switched off so that notebooks re-run by
nbval print exactly what their committed outputs show; kernels started by
nbval and by the notebook tests inherit this environment.
"""
import os

os.environ.setdefault("WLOSS_PROGRESS", "0")
