"""CoreSet and BADGE: dense greedy steps against triangle-inequality pruning.

``NearestCentre`` updates every point per greedy step on pools up to
``dense_max`` points (one product per step) and prunes by the triangle
inequality above that. This times both paths on the same synthetic pools
(ReLU-like embeddings of width 256, ten-class probabilities; CoreSet with
300 labelled samples as external centres), interleaved repeat by repeat in
one process, and checks that they pick the same samples::

    OMP_NUM_THREADS=1 python benchmarks/bench_nearest_centre.py [--sizes 2000,10000]
"""

import argparse
import os
import time

import numpy as np


class _Outputs:
    """The two things CoreSet and BADGE read from a pool's outputs."""

    def __init__(self, embedding, factors):
        import torch

        self.embedding = embedding
        self.device = torch.device("cpu")
        self._factors = factors

    def badge_factors(self):
        return self._factors, self.embedding


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000,32768")
    parser.add_argument("--n-picks", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from skautoal.strategies import BADGE, CoreSet
    from skautoal.strategies._kernels import NearestCentre

    shipped = NearestCentre.dense_max
    rng = np.random.RandomState(0)
    print(f"torch threads: {torch.get_num_threads()}; {args.n_picks} picks")
    print("| pool | strategy | dense s | pruned s | pruned / dense | same picks |")
    print("|---|---|---|---|---|---|")
    for n in map(int, args.sizes.split(",")):
        emb = np.maximum(rng.randn(n, 256), 0).astype(np.float32)
        proba = rng.dirichlet(np.ones(10), n).astype(np.float32)
        factors = proba - np.eye(10, dtype=np.float32)[proba.argmax(1)]
        pool = _Outputs(emb, factors)
        labeled = _Outputs(np.maximum(rng.randn(300, 256), 0).astype(np.float32), None)
        for name, strategy, lab in (
            ("CoreSet", CoreSet(), labeled),
            ("BADGE", BADGE(), None),
        ):
            times = {"dense": [], "pruned": []}
            picks = {}
            try:
                for repeat in range(args.repeats + 1):  # the first is a warm-up
                    for path, limit in (("dense", 1 << 62), ("pruned", 0)):
                        NearestCentre.dense_max = limit
                        start = time.perf_counter()
                        picks[path] = strategy._select(
                            pool,
                            args.n_picks,
                            labeled=lab,
                            random_state=np.random.RandomState(repeat),
                        )
                        if repeat:
                            times[path].append(time.perf_counter() - start)
            finally:
                NearestCentre.dense_max = shipped
            dense, pruned = (np.median(times[k]) for k in ("dense", "pruned"))
            same = np.array_equal(picks["dense"], picks["pruned"])
            print(
                f"| {n} | {name} | {dense:.3f} | {pruned:.3f} | "
                f"{pruned / dense:.1f}x | {'yes' if same else 'no'} |"
            )


if __name__ == "__main__":
    main()
