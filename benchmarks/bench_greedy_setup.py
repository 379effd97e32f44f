"""The greedy's set-up products: one (P x P) by (P x n k) product, or a
broadcast matmul.

Before its steps, ``FisherBatchValue.greedy`` forms ``M^-1 G_i`` and ``F_U
M^-1 G_i`` for every proposal ``i``. ``torch.matmul(M_inv, G)`` on the (n, P,
k) stack broadcasts ``M_inv`` to (n, P, P), a copy per proposal; the shipped
``_left_multiply`` makes it one product. With P = C (D + 1) (D = 8 whitened
axes) the copy grows with the classes squared: 90 x 90 with ten classes, 288
x 288 with 32. This times the whole greedy both ways, interleaved repeat by
repeat in one process, on the suite's MLP fitted on 300 random labels of
each block and its real proposals, and checks that both pick the same::

    OMP_NUM_THREADS=1 python benchmarks/bench_greedy_setup.py \\
        [--blocks digits,fashion-mlp,classes-32] [--seeds 2] [--repeats 7]
"""

import argparse
import os

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="digits,fashion-mlp,classes-32")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from _suite_query import fitted_querier, search_inputs, timed

    from skautoal.search import _fisher

    shipped = _fisher._left_multiply

    def broadcast(A, G):
        return torch.matmul(A, G)

    print(f"torch threads: {torch.get_num_threads()}; 50 picks")
    print(
        "| block | seed | classes | P | proposals | broadcast ms | one product ms "
        "| one product / broadcast | same picks |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.blocks.split(","):
        for seed in range(args.seeds):
            querier, X = fitted_querier(name, seed)
            _, _, _, union, value = search_inputs(querier, X)
            G = value.factors(union)
            times = {"broadcast": [], "shipped": []}
            picks = {}
            try:
                for _ in range(args.repeats):  # interleaved
                    for key, multiply in (
                        ("broadcast", broadcast),
                        ("shipped", shipped),
                    ):
                        _fisher._left_multiply = multiply
                        seconds, picks[key] = timed(
                            lambda v=value, g=G: v.greedy(g, 50), 1
                        )
                        times[key].append(seconds)
            finally:
                _fisher._left_multiply = shipped
            before, after = (np.median(times[k]) for k in ("broadcast", "shipped"))
            print(
                f"| {name} | {seed} | {len(querier.classes_)} | {G.shape[1]} | "
                f"{len(union)} | {1000 * before:.1f} | {1000 * after:.1f} | "
                f"{after / before:.2f} | "
                f"{np.array_equal(picks['broadcast'], picks['shipped'])} |"
            )


if __name__ == "__main__":
    main()
