"""wloss: weighted losses for classifiers whose mistakes do not cost the same.

The library behind the Weighted Losses course. Modules by concern:

- ``wloss.weights``   class weights from label counts (inverse frequency, pos_weight, effective number)
- ``wloss.losses``    PyTorch losses from logits: stable, vectorised, differentiable
- ``wloss.reference`` the same losses in NumPy float64, transcribed from the formulas, for reading
- ``wloss.multilabel`` multi-label (N, L) targets: per-label pos_weight, multi-label RWWCE, per-label thresholds
- ``wloss.metrics``   confusion matrix, Real World Cost, Bayes and tuned thresholds, precision-recall curves
                      and average precision
- ``wloss.calibration`` reliability curves, expected calibration error (top-label and class-wise), the binary
                      prior correction
- ``wloss.posthoc``   after training: K-class prior correction, temperature/Platt/isotonic calibration,
                      label-shift estimation (BBSE, EM, bias-corrected temperature scaling), cost curves, paired bootstrap of cost differences
- ``wloss.stats``     weighted logistic regression with naive and sandwich standard errors; paired effects with
                      intervals, and tests for runs that share data (cluster means, cluster bootstrap)
- ``wloss.scenarios`` card transactions whose misclassification costs depend on the amount
- ``wloss.data``      MNIST (checksummed, fetched once), KEEL's imbalanced data sets, the paper's one-vs-rest sets,
                      synthetic sets
- ``wloss.decoupled`` decoupled training for long tails: classifier re-training on frozen features, tau-normalisation
- ``wloss.replicate`` Tables I and II of the RWWCE paper (``python -m wloss.replicate``)
- ``wloss.benchmark`` the KEEL benchmark: methods x data sets x folds x seeds x cost ratios, on joblib or Dask
                      (``python -m wloss.benchmark``)
- ``wloss.checks``    the checks the exercise notebooks call
- ``wloss.notebook``  one-line set-up for a notebook (seeds, threads, figure style) and the claim helpers
- ``wloss.plotting``  the course's figure style and shared plots
"""

__version__ = "0.1.0"
