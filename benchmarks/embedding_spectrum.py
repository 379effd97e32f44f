"""How much of the task model's embedding the Fisher value's axes hold.

Fits the suite's task model of each block on 100 and 300 random labels
(seeds 100 and 101, the tuning seeds), takes the embedding of 1000 pool
samples as the value does, and prints the share of its variance on the first
8, 16 and 32 principal axes (the value whitens ``fisher_dim`` of them)::

    OMP_NUM_THREADS=1 python benchmarks/embedding_spectrum.py mnist1d,fashion-cnn
"""

import sys

import numpy as np


def main(argv=None):
    import torch

    torch.set_num_threads(1)
    from _suite_query import fitted_querier

    blocks = (argv or sys.argv[1:] or ["digits"])[0].split(",")
    print("| block | seed | labels | width | 8 axes | 16 axes | 32 axes |")
    print("|---|---|---|---|---|---|---|")
    for block in blocks:
        for seed in (100, 101):
            for n_labeled in (100, 300):
                querier, X_rest = fitted_querier(block, seed, n_labeled=n_labeled)
                outputs = querier._pool_outputs(X_rest, np.random.RandomState(0))
                E = np.asarray(outputs.embedding, dtype=np.float64)
                E = E.reshape(len(E), -1)
                rows = np.random.RandomState(0).choice(
                    len(E), min(1000, len(E)), replace=False
                )
                E = E[rows] - E[rows].mean(0)
                share = np.cumsum(np.linalg.svd(E, compute_uv=False) ** 2)
                share /= share[-1]
                cells = " | ".join(
                    f"{share[min(k, len(share)) - 1]:.2f}" for k in (8, 16, 32)
                )
                print(f"| {block} | {seed} | {n_labeled} | {E.shape[1]} | {cells} |")


if __name__ == "__main__":
    main()
