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
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from _suite_query import fitted_querier

    querier, X = fitted_querier(args.block, args.seed)
    querier.query(X)  # warm-up
    if args.parts:
        _time_parts(querier, X, args.repeats)
        return
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.repeats):
        querier.query(X)
    profile.disable()
    proposals = querier.search_history_["n_proposals"][-args.repeats :]
    print(
        f"{args.block}: pool {len(X)}, proposals per query {list(proposals)}; "
        f"times below are totals over {args.repeats} queries"
    )
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


def _time_parts(querier, X, repeats):
    import numpy as np
    from _suite_query import search_inputs, timed

    def median_ms(step):
        seconds, result = timed(step, repeats)
        return 1000 * seconds, result

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
    pool, labeled, picks, union, value = search_inputs(querier, X)
    ms, _ = median_ms(
        lambda: querier._fisher_value(pool, labeled, np.random.RandomState(0))
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
