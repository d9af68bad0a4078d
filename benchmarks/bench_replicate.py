"""Batched training (``wloss.replicate_training``) against a plain per-model loop, on a slice of Table I.

The slice: 20 binary data sets x 2 models (BCE control and RWWCE, 784 -> 10 -> 1), 40 steps of batch
100 each, on random uint8 images of MNIST's shape (timing does not depend on the pixel values).
The plain loop trains the 40 models one after the other, each an ``nn.Sequential`` with its own
``torch.optim.Adam``, on exactly the same batches. Prints both times and the ratio (goal >= 3x).
"""
from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from wloss.losses import rwwce_binary
from wloss.replicate import FN_COST, FP_COST, binary_pair_loss
from wloss.replicate_training import batch_schedule, init_stacked_mlp, train_stacked

GROUPS, STEPS, BATCH = 20, 40, 100


def plain_loop(X, labels, schedule, digits):
    """Train every (group, model) alone: the loop one would write first."""
    for g in range(GROUPS):
        for model in range(2):
            net = torch.nn.Sequential(torch.nn.Linear(784, 10), torch.nn.ReLU(), torch.nn.Linear(10, 1))
            optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
            for rows in schedule[:, g]:
                rows = torch.from_numpy(rows)
                z = net(X[rows].float() / 255)[:, 0]
                target = (labels[rows] == digits[g]).float()
                loss = (F.binary_cross_entropy_with_logits(z, target) if model == 0
                        else rwwce_binary(z, target, fn_cost=FN_COST, fp_cost=FP_COST))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


def main():
    gen = np.random.default_rng(0)
    X = torch.from_numpy(gen.integers(0, 256, (70_000, 784), dtype=np.uint8))
    labels = torch.from_numpy(np.arange(70_000) % 10)
    digits = torch.arange(GROUPS) % 10
    train_index = [gen.choice(70_000, 42_000, replace=False) for _ in range(GROUPS)]
    schedule = batch_schedule(train_index, epochs=1, batch_size=BATCH, seed=0)[:STEPS]
    start = time.perf_counter()
    plain_loop(X, labels, schedule, digits)
    plain = time.perf_counter() - start
    start = time.perf_counter()
    net = init_stacked_mlp((784, 10, 1), groups=GROUPS, models_per_group=2, seed=0)
    train_stacked(net, X, labels, schedule, binary_pair_loss(digits), input_scale=1 / 255)
    batched = time.perf_counter() - start
    print(f"{GROUPS * 2} models x {STEPS} steps of batch {BATCH}: plain loop {plain:.2f} s, "
          f"batched {batched:.2f} s, speed-up {plain / batched:.1f}x (goal >= 3x)")


if __name__ == "__main__":
    main()
