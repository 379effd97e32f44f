"""Where the time of one AutoAL query goes (cProfile), on a suite block.

The suite's converged MLP is fitted on 300 random labels; ``--repeats``
queries of ``n_queries=50`` over the rest of the block's pool are profiled
after one warm-up query. Prints the number of proposals the Fisher search
saw and the largest cumulative entries per query.

    OMP_NUM_THREADS=1 python benchmarks/profile_query.py [--block fashion-mlp]
"""

import argparse
import cProfile
import os
import pstats


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--block", default="fashion-mlp")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import numpy as np
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from sklearn.model_selection import train_test_split

    from skautoal import AutoALQuerier
    from skautoal.models import default_net
    from skautoal.suite import BLOCKS, load_block

    X, y = load_block(args.block)
    _, y = np.unique(y, return_inverse=True)
    X_pool, _, y_pool, _ = train_test_split(
        X,
        y,
        test_size=BLOCKS[args.block].test_size,
        stratify=y,
        random_state=args.seed,
    )
    order = np.random.RandomState(args.seed).permutation(len(y_pool))
    lab, pool = order[:300], order[300:]
    net = default_net(
        BLOCKS[args.block].kind,
        X.shape[1:],
        int(y.max()) + 1,
        random_state=args.seed,
        device="cpu",
    )
    querier = AutoALQuerier(net, n_queries=50, random_state=args.seed, device="cpu")
    querier.fit(X_pool[lab], y_pool[lab])
    querier.query(X_pool[pool])  # warm-up
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.repeats):
        querier.query(X_pool[pool])
    profile.disable()
    proposals = querier.search_history_["n_proposals"][-args.repeats :]
    print(
        f"{args.block}: pool {len(pool)}, proposals per query {list(proposals)}; "
        f"times below are totals over {args.repeats} queries"
    )
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
