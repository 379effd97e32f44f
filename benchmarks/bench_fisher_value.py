"""The Fisher value's set-up: Kronecker sums against stacked factors.

``FisherBatchValue`` sums the labelled set's and the pool sample's Fisher
matrices from their Kronecker structure: with ``Y = p kron z``, the block
diagonal of ``Y^T Z`` less ``Y^T Y``. The alternative measured here, kept in
this script, is the previous release's: stack every sample's (C D) x C
factor and multiply the stack by its transpose, about ten times the
products. Their rounding differs, which flips a greedy pick now and then
(one in 96 tuning runs), so the suite's Fisher-based methods were rerun when
the Kronecker sums shipped. Both build the value from the same outputs of
the suite's converged MLP (300 random labels, the rest of the block's pool),
interleaved repeat by repeat in one process; the script checks that the two
give the same matrices to rounding.

    OMP_NUM_THREADS=1 python benchmarks/bench_fisher_value.py [--blocks digits]
"""

import argparse
import os
import time

import numpy as np


def _stacked_sum(self, embedding, proba):
    """``sum_x G_x G_x^T`` over the stacked factors, chunk by chunk."""
    from skautoal.search._fisher import _factor

    total = 0
    for start in range(0, embedding.shape[0], self.chunk_size):
        stop = start + self.chunk_size
        G = _factor(proba[start:stop], self._whiten(embedding[start:stop]))
        G = G.transpose(0, 1).reshape(G.shape[1], -1)
        total = total + G @ G.T
    return total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="digits,fashion-mlp")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from _suite_query import block_data, labelled_split, suite_net

    from skautoal.models import PoolOutputs
    from skautoal.search import FisherBatchValue

    print(f"torch threads: {torch.get_num_threads()}; {args.repeats} repeats")
    print("| block | stacked s | Kronecker (shipped) s | Kronecker / stacked |")
    print("|---|---|---|---|")
    for block in args.blocks.split(","):
        X, y = block_data(block)
        X_lab, y_lab, X_rest = labelled_split(X, y, block, args.seed)
        net = suite_net(block, X, y, args.seed).fit(X_lab, y_lab)
        outputs = PoolOutputs(net, X_rest)
        labeled = PoolOutputs(net, X_lab, name="X_labeled")

        def build(outputs=outputs, labeled=labeled):
            return FisherBatchValue.from_outputs(
                outputs,
                labeled,
                dim=8,
                reg=1.0,
                n_pool_samples=1000,
                random_state=np.random.RandomState(0),
                device="cpu",
            )

        shipped = FisherBatchValue._fisher_sum
        times = {"stacked": [], "kronecker": []}
        values = {}
        for _ in range(args.repeats + 1):  # the first is a warm-up
            for name, method in (("stacked", _stacked_sum), ("kronecker", shipped)):
                FisherBatchValue._fisher_sum = method
                try:
                    start = time.perf_counter()
                    values[name] = build()
                    times[name].append(time.perf_counter() - start)
                finally:
                    FisherBatchValue._fisher_sum = shipped
        for attr in ("M", "F_U"):
            a, b = getattr(values["stacked"], attr), getattr(values["kronecker"], attr)
            assert torch.allclose(a, b, rtol=1e-9, atol=1e-12), (block, attr)
        old, new = (np.array(times[k][1:]) for k in ("stacked", "kronecker"))
        ratio = new / old
        print(
            f"| {block} | {np.median(old):.4f} | {np.median(new):.4f} | "
            f"{np.median(ratio):.2f}x ({ratio.min():.2f}-{ratio.max():.2f}) |"
        )


if __name__ == "__main__":
    main()
