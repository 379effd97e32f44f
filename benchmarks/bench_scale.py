"""Time and peak memory of one query over large memmap pools (in memory, one machine).

For each pool size N, a fresh process fits the default MLP on 500 labels and
queries a float32 memmap pool of N x 128 (random data, 10 classes). It reports
the query's wall time and the peak resident memory it added beyond the fitted
model and the pool's own pages (ru_maxrss after the query minus before it;
the memmap's pages are read, not copied, and are counted in neither since the
pool is read once before the measurement). The log-log slope of time against
N is fitted over the sizes run.

    OMP_NUM_THREADS=2 python benchmarks/bench_scale.py [--sizes 100000,300000,1000000]
        [--method autoal|margin|coreset|badge]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

CHILD = r"""
import json, resource, sys, time
import numpy as np
import torch
torch.set_num_threads(int(sys.argv[4]))
from skautoal import AutoALQuerier
from skautoal.baselines import StrategyQuerier
from skautoal.models import default_net
from skautoal.strategies import BADGE, CoreSet, MarginSampling

path, method, n_queries = sys.argv[1], sys.argv[2], int(sys.argv[3])
pool = np.load(path, mmap_mode="r")
rng = np.random.RandomState(0)
X_lab = np.asarray(pool[:500])
y_lab = rng.randint(0, 10, 500)
net = default_net("mlp", (pool.shape[1],), 10, random_state=0, device="cpu")
if method == "autoal":
    querier = AutoALQuerier(net, n_queries=n_queries, random_state=0, device="cpu")
else:
    strategy = {"margin": MarginSampling, "coreset": CoreSet, "badge": BADGE}[method]
    querier = StrategyQuerier(net, strategy(), n_queries=n_queries, random_state=0)
querier.fit(X_lab, y_lab)
for start in range(0, pool.shape[0], 65536):  # the pool's pages, read once
    np.asarray(pool[start : start + 65536]).sum()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
picked = querier.query(pool)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert len(np.unique(picked)) == n_queries
print(json.dumps({"seconds": seconds, "extra_mib": (after - before) / 1024}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--features", type=int, default=128)
    parser.add_argument("--method", default="autoal")
    parser.add_argument("--n-queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = os.path.join(tmp, f"pool_{n}.npy")
            pool = np.lib.format.open_memmap(
                path, mode="w+", dtype=np.float32, shape=(n, args.features)
            )
            rng = np.random.RandomState(n)
            for start in range(0, n, 65536):
                stop = min(start + 65536, n)
                pool[start:stop] = rng.rand(stop - start, args.features)
            pool.flush()
            del pool
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    path,
                    args.method,
                    str(args.n_queries),
                    str(args.threads),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["n"] = n
            rows.append(row)
            print(
                f"N={n}: query {row['seconds']:.1f} s, peak extra "
                f"{row['extra_mib']:.0f} MiB",
                flush=True,
            )
            os.remove(path)
    if len(rows) > 1:
        slope = np.polyfit(
            np.log([r["n"] for r in rows]), np.log([r["seconds"] for r in rows]), 1
        )[0]
        print(f"log-log slope of time against N: {slope:.2f}")
    print(f"\n| N | {args.method} query s | peak extra MiB |")
    print("|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['seconds']:.1f} | {r['extra_mib']:.0f} |")


if __name__ == "__main__":
    main()
