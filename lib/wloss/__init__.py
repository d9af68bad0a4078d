"""wloss: weighted losses for classifiers whose mistakes do not cost the same.

The library behind the Weighted Losses course. Modules by concern, one concern per module:

Training with costs

- ``wloss.weights``      weights for the losses: per class from label counts (inverse frequency, pos_weight, effective
                         number), per label of multi-hot targets, per example from costs (RWWCE weights)
- ``wloss.losses``       PyTorch losses from logits, binary, multiclass, ordinal, long-tailed and multi-label (RWWCE,
                         ASL): stable, vectorised, differentiable
- ``wloss.reference``    the same losses in NumPy float64, transcribed from the formulas, for reading
- ``wloss.training``     small seeded training loops; ``wloss.sampling`` re-sampling instead of re-weighting;
                         ``wloss.decoupled`` classifier re-training on frozen features, tau-normalisation

Evaluating and deciding

- ``wloss.metrics``      confusion matrix, precision, recall, F1, balanced accuracy, per-label recall and precision,
                         precision-recall curves and average precision
- ``wloss.decisions``    thresholds and decisions that minimise cost (Bayes thresholds, the best threshold on scores,
                         Bayes decisions from per-example costs) and what decisions cost (Real World Cost, binary,
                         multiclass and multi-label; total decision cost; cost curves)
- ``wloss.calibration``  reliability curves and expected calibration error (binary, top-label, class-wise); prior
                         corrections (binary and multiclass) and posteriors moved to new priors; temperature, Platt,
                         isotonic and bias-corrected temperature calibration
- ``wloss.label_shift``  new class priors from unlabelled deployment data (BBSE, EM)
- ``wloss.stats``        weighted logistic regression with naive and sandwich standard errors; paired effects with
                         intervals, tests for runs that share data, the paired bootstrap of cost differences;
                         comparisons of methods over many data sets (Friedman, Nemenyi, Wilcoxon-Holm)

Data and experiments

- ``wloss.data``         MNIST (checksummed, fetched once), KEEL's imbalanced data sets, the paper's one-vs-rest sets,
                         synthetic sets
- ``wloss.scenarios``    card transactions whose misclassification costs depend on the amount (lecture 05)
- ``wloss.replicate``    Tables I and II of the RWWCE paper (``python -m wloss.replicate``), trained with
                         ``wloss.replicate_training`` (many small MLPs at once)
- ``wloss.benchmark``    the KEEL benchmark: methods x data sets x folds x seeds x cost ratios, on joblib or Dask
                         (``python -m wloss.benchmark``)

The course's notebooks

- ``wloss.checks``       the checks the exercise notebooks call
- ``wloss.notebook``     one-line set-up for a notebook (seeds, threads, figure style) and the claim helpers
- ``wloss.plotting``     the course's figure style and shared plots; ``wloss.progress`` progress bars kept out of
                         committed outputs

Deprecated, for one release: ``wloss.posthoc`` (now in ``wloss.calibration``, ``wloss.label_shift``,
``wloss.decisions`` and ``wloss.stats``) and ``wloss.multilabel`` (now in ``wloss.weights``, ``wloss.losses``,
``wloss.reference``, ``wloss.decisions`` and ``wloss.metrics``) re-export the names they had; so do
``wloss.metrics`` and ``wloss.scenarios`` for the names that moved out of them.
"""

__version__ = "0.1.0"
