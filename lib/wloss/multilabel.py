"""Deprecated: moved to wloss.weights, wloss.losses, wloss.reference, wloss.decisions and wloss.metrics;
this module will be removed in the next release.

Multi-label classification (multi-hot (N, L) targets, one logit per label) now lives with each concern:

- ``pos_weight_per_label``: Deprecated: moved to wloss.weights; this name will be removed in the next release.
- ``multilabel_rwwce``: Deprecated: moved to wloss.losses; this name will be removed in the next release.
- ``multilabel_rwwce_reference``: Deprecated: moved to wloss.reference (as ``wloss.reference.multilabel_rwwce``);
  this name will be removed in the next release.
- ``bayes_thresholds``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``multilabel_real_world_cost``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``per_label_recall_precision``: Deprecated: moved to wloss.metrics; this name will be removed in the next release.

Each name here is the same object as at its new place. No warning is raised on import.
"""
# Each name re-exported for one release, the same object as at its new place.
from wloss.decisions import bayes_thresholds, multilabel_real_world_cost  # noqa: F401
from wloss.losses import multilabel_rwwce  # noqa: F401
from wloss.metrics import per_label_recall_precision  # noqa: F401
from wloss.reference import multilabel_rwwce as multilabel_rwwce_reference  # noqa: F401
from wloss.weights import pos_weight_per_label  # noqa: F401
