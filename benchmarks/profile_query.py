"""Where the time of one AutoAL query goes (cProfile), on a suite block.

The suite's converged MLP is fitted on 300 random labels; ``--repeats``
queries of ``n_queries=50`` over the rest of the block's pool are profiled
after one warm-up query. Prints the number of proposals the Fisher search
saw and the largest cumulative entries per query.

``--parts`` times the stages of one query instead, without the profiler:
the median over ``--repeats`` calls of the forward pass, each candidate's
picks (each with a fresh forward pass, as the query shares one: subtract
it), the Fisher value's set-up, the proposals' factors, the greedy search
and the guard's values of the candidates' own batches.

    OMP_NUM_THREADS=1 python benchmarks/profile_query.py [--block fashion-mlp] [--parts]
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
    parser.add_argument("--parts", action="store_true")
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
    if args.parts:
        _time_parts(querier, X_pool[pool], args.repeats)
        return
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


def _time_parts(querier, X, repeats):
    import time

    import numpy as np

    from skautoal.querier_base import candidate_picks, picks_to_masks
    from skautoal.search import FisherBatchValue

    def median_ms(step):
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = step()
            seconds.append(time.perf_counter() - start)
        return 1000 * float(np.median(seconds)), result

    def outputs():
        return querier._pool_outputs(X, np.random.RandomState(0))

    rows = []
    ms, pool = median_ms(lambda: outputs().proba)
    rows.append(("forward pass (probabilities)", ms))
    labeled = querier._labeled_outputs(outputs())
    for candidate in querier.candidates_:
        ms, _ = median_ms(
            lambda c=candidate: c._select(
                outputs(), 50, labeled=labeled, random_state=np.random.RandomState(0)
            )
        )
        rows.append((f"{type(candidate).__name__} (with its own forward pass)", ms))
    pool = outputs()
    picks = candidate_picks(
        querier.candidates_, pool, 50, labeled, np.random.RandomState(0)
    )
    union = np.flatnonzero(picks_to_masks(picks, len(pool)).any(1))
    ms, value = median_ms(
        lambda: FisherBatchValue.from_outputs(
            pool,
            labeled,
            dim=querier.fisher_dim,
            reg=querier.fisher_reg,
            n_pool_samples=querier.n_pool_samples,
            random_state=np.random.RandomState(0),
            device="cpu",
        )
    )
    rows.append(("Fisher value set-up", ms))
    ms, G = median_ms(lambda: value.factors(union))
    rows.append((f"factors of the {len(union)} proposals", ms))
    ms, _ = median_ms(lambda: value.greedy(G, 50))
    rows.append(("greedy search, 50 picks", ms))
    position = np.full(len(pool), -1)
    position[union] = np.arange(len(union))
    ms, _ = median_ms(lambda: [value.value(G[position[p]]) for p in picks])
    rows.append(("guard: the candidates' own batches", ms))
    ms, _ = median_ms(lambda: querier.query(X))
    rows.append(("the whole query", ms))
    print(f"median of {repeats} calls, ms")
    print("| stage | ms |\n|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
