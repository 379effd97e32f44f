"""What cutting each proposal's Fisher to a low rank costs and saves.

``AutoALQuerier(fisher_rank=k)`` keeps the ``k`` largest eigen-directions
of each proposal's ``diag p - p p^T`` in the batch value, so the greedy's
per-proposal systems are k x k instead of C x C. On one fitted suite MLP
and its real proposals per block and seed (300 labels, 50 picks), this
times the greedy on the whole factors and on each cut, interleaved repeat
by repeat in one process, and compares the picks: how many of the 50 the
cut shares with the whole-Fisher greedy, and the whole-Fisher value of the
cut's batch relative to the whole-Fisher greedy's batch::

    OMP_NUM_THREADS=1 python benchmarks/bench_fisher_rank.py \\
        [--blocks digits,fashion-mlp,mnist1d] [--ranks 3,4,6] [--seeds 2]
"""

import argparse
import os

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="digits,digits-lt,mnist1d,fashion-mlp")
    parser.add_argument("--ranks", default="3,4,6")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from _suite_query import fitted_querier, search_inputs, timed

    ranks = [int(r) for r in args.ranks.split(",")]
    print(f"torch threads: {torch.get_num_threads()}; 50 picks")
    print(
        "| block | seed | classes | proposals | whole-Fisher greedy ms | "
        + " | ".join(f"rank {k}: ms, shared picks, value" for k in ranks)
        + " |"
    )
    print("|---|---|---|---|---|" + "---|" * len(ranks))
    for name in args.blocks.split(","):
        for seed in range(args.seeds):
            querier, X = fitted_querier(name, seed)
            _, _, _, union, value = search_inputs(querier, X)
            # The rank cut applies to each proposal's whole Fisher, the value
            # of fisher_label="expected" (the default's terms have rank 1).
            value.label = "expected"
            factors = {}
            for k in [None, *ranks]:
                value.rank = k
                factors[k] = value.factors(union)
            times = {k: [] for k in factors}
            picks = {}
            for _ in range(args.repeats):  # interleaved
                for k, G in factors.items():
                    seconds, picks[k] = timed(lambda v=value, g=G: v.greedy(g, 50), 1)
                    times[k].append(seconds)
            whole = factors[None]
            best = value.value(whole[picks[None]])
            cells = []
            for k in ranks:
                shared = len(set(picks[k].tolist()) & set(picks[None].tolist()))
                ratio = value.value(whole[picks[k]]) / best
                cells.append(
                    f"{1000 * np.median(times[k]):.0f}, {shared}/50, {ratio:.4f}"
                )
            print(
                f"| {name} | {seed} | {whole.shape[2]} | {len(union)} | "
                f"{1000 * np.median(times[None]):.0f} | " + " | ".join(cells) + " |"
            )


if __name__ == "__main__":
    main()
