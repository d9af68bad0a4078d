"""Deprecated: moved to wloss.calibration, wloss.label_shift, wloss.decisions and wloss.stats; this module
will be removed in the next release.

What acts on a trained model's outputs without retraining it now lives with each concern:

- ``prior_correction_multiclass``: Deprecated: moved to wloss.calibration;
  this name will be removed in the next release.
- ``adjust_posteriors_to_priors``: Deprecated: moved to wloss.calibration;
  this name will be removed in the next release.
- ``temperature_scale``: Deprecated: moved to wloss.calibration; this name will be removed in the next release.
- ``fit_temperature``: Deprecated: moved to wloss.calibration; this name will be removed in the next release.
- ``platt_scale``: Deprecated: moved to wloss.calibration; this name will be removed in the next release.
- ``fit_platt``: Deprecated: moved to wloss.calibration; this name will be removed in the next release.
- ``fit_isotonic``: Deprecated: moved to wloss.calibration; this name will be removed in the next release.
- ``bias_corrected_temperature_scale``: Deprecated: moved to wloss.calibration; this name will be removed in the
  next release.
- ``fit_bias_corrected_temperature``: Deprecated: moved to wloss.calibration; this name will be removed in the
  next release.
- ``estimate_label_shift_bbse``: Deprecated: moved to wloss.label_shift;
  this name will be removed in the next release.
- ``estimate_label_shift_em``: Deprecated: moved to wloss.label_shift; this name will be removed in the next release.
- ``cost_curve``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``bootstrap_cost_difference``: Deprecated: moved to wloss.stats; this name will be removed in the next release.

Each name here is the same object as at its new place. No warning is raised on import.
"""
# Each name re-exported for one release, the same object as at its new place.
from wloss.calibration import (adjust_posteriors_to_priors, bias_corrected_temperature_scale,  # noqa: F401
                               fit_bias_corrected_temperature, fit_isotonic, fit_platt, fit_temperature, platt_scale,
                               prior_correction_multiclass, temperature_scale)
from wloss.decisions import cost_curve  # noqa: F401
from wloss.label_shift import estimate_label_shift_bbse, estimate_label_shift_em  # noqa: F401
from wloss.stats import bootstrap_cost_difference  # noqa: F401
