"""What AutoAL's Fisher search did in each round of one suite run.

Runs ``skautoal.suite.run_one(block, "autoal", seed)`` (the call a suite run
makes) and prints, per round, the pool size, the number of proposals, the
candidate whose own batch the value rated highest, the searched batch's
value over that candidate's and whether the guard returned the candidate's
batch, read from ``AutoALQuerier.search_history_``, and the share of the
returned batch each candidate proposed (``strategy_weights_history_``);
then the run's test-accuracy curve::

    OMP_NUM_THREADS=1 python benchmarks/search_history.py fashion-mlp 100
"""

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("block")
    parser.add_argument("seed", type=int)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    from skautoal import AutoALQuerier, suite

    rows, header = [], []
    query = AutoALQuerier._fisher_query

    def recorded(self, outputs, n_queries, random_state):
        scores = query(self, outputs, n_queries, random_state)
        h = {key: values[-1] for key, values in self.search_history_.items()}
        ratio = h["search_value"] / h["best_candidate_value"]
        shares = self.strategy_weights_history_[-1]
        if not header:
            header.extend(shares)
        rows.append(
            f"| {len(outputs)} | {h['n_proposals']} | {h['best_candidate']} "
            f"| {ratio:.3f} | {h['guard_used']} | "
            + " | ".join(f"{share:.2f}" for share in shares.values())
            + " |"
        )
        return scores

    AutoALQuerier._fisher_query = recorded
    try:
        record = suite.run_one(args.block, "autoal", args.seed)
    finally:
        AutoALQuerier._fisher_query = query
    print(
        "| pool | proposals | best candidate's batch | search / it | guard | "
        + " | ".join(header)
        + " |"
    )
    print("|---|---|---|---|---|" + "---|" * len(header))
    print("\n".join(rows))
    print("\naccuracy:", " ".join(f"{s:.3f}" for s in record["scores"]))


if __name__ == "__main__":
    main()
