"""wloss: weighted losses for classifiers whose mistakes do not cost the same.

The library behind the Weighted Losses course. Modules by concern:

- ``wloss.weights``   class weights from label counts (inverse frequency, pos_weight, effective number)
- ``wloss.losses``    PyTorch losses from logits: stable, vectorised, differentiable
- ``wloss.reference`` the same losses in NumPy float64, transcribed from the formulas, for reading
- ``wloss.metrics``   confusion matrix, Real World Cost, Bayes and tuned thresholds
- ``wloss.data``      MNIST (checksummed), the paper's one-vs-rest sets, synthetic sets
- ``wloss.checks``    the checks the exercise notebooks call
- ``wloss.notebook``  one-line set-up for a notebook (seeds, threads, figure style)
- ``wloss.plotting``  the course's figure style and shared plots
"""

__version__ = "0.1.0"
