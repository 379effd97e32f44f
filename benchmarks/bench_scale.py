"""Time and peak memory of one query over large memmap pools, in process and
on a 2-worker Dask LocalCluster, and GreeDi's quality against one stage.

For each pool size N, a fresh process fits the default MLP on 500 labels and
queries a float32 memmap pool of N x 128 (random data, 10 classes).

* ``local``: the query runs in process (two stages over partitions of
  ``partition_size`` rows once N exceeds it). "peak extra" is the peak
  resident memory the query adds beyond the fitted model and the pool's own
  pages (ru_maxrss after the query minus before it; the pool is read once
  before the measurement).
* ``dask``: the pool is a dask array of row chunks (``--chunk-rows``), each
  loaded by its worker from the memmap file, and the query runs with a
  ``LocalCluster(n_workers=2, threads_per_worker=1)`` client active. Memory
  is reported for the client process (as above) and for the busiest worker
  (its resident memory sampled every 20 ms during the query, peak minus the
  value at the start).

The log-log slope of time against N is fitted per backend over the sizes run.
``--quality`` also runs CoreSet and BADGE in one stage (in process, the whole
pool's embeddings in memory) and on the cluster (GreeDi over the chunks),
and reports the k-center radius and the D^2 cost of both
(:func:`skautoal.metrics.kcenter_radius`, :func:`~skautoal.metrics.badge_cost`)
with their ratio.

    OMP_NUM_THREADS=2 python benchmarks/bench_scale.py \\
        [--sizes 100000,300000,1000000] [--backends local,dask] \\
        [--method autoal|margin|coreset|badge] [--quality 300000] \\
        [--plot docs/_static/large_pools.png] [--json out.json]
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

path, method, n_queries, threads, backend, chunk_rows, quality = sys.argv[1:8]
n_queries, threads, chunk_rows = int(n_queries), int(threads), int(chunk_rows)
quality = quality == "1"
torch.set_num_threads(threads)
from skautoal import AutoALQuerier, config_context
from skautoal.baselines import StrategyQuerier
from skautoal.metrics import badge_cost, kcenter_radius
from skautoal.models import default_net
from skautoal.strategies import BADGE, CoreSet, MarginSampling


def maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_peak(dask_worker):
    # A worker's ru_maxrss may be inherited from the process that started
    # it, so its peak is sampled: current RSS every 20 ms.
    import threading

    import psutil

    proc = psutil.Process()
    state = {"base": proc.memory_info().rss, "peak": 0, "run": True}

    def sample():
        while state["run"]:
            state["peak"] = max(state["peak"], proc.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    dask_worker.skautoal_peak = state


def stop_peak(dask_worker):
    state = dask_worker.skautoal_peak
    state["run"] = False
    return (state["peak"] - state["base"]) / 2**20


def load(path, start, stop):
    return np.asarray(np.load(path, mmap_mode="r")[start:stop])


def make_querier(method, net):
    if method == "autoal":
        return AutoALQuerier(net, n_queries=n_queries, random_state=0, device="cpu")
    strategy = {"margin": MarginSampling, "coreset": CoreSet, "badge": BADGE}[method]
    return StrategyQuerier(net, strategy(), n_queries=n_queries, random_state=0)


pool = np.load(path, mmap_mode="r")
n = pool.shape[0]
rng = np.random.RandomState(0)
X_lab = np.asarray(pool[:500])
y_lab = rng.randint(0, 10, 500)
net = default_net("mlp", (pool.shape[1],), 10, random_state=0, device="cpu")
querier = make_querier(method, net).fit(X_lab, y_lab)
for start in range(0, n, 65536):  # the pool's pages, read once
    np.asarray(pool[start : start + 65536]).sum()
result = {}
if backend == "local":
    before = maxrss_mib()
    start = time.perf_counter()
    picked = querier.query(pool)
    result["seconds"] = time.perf_counter() - start
    result["extra_mib"] = maxrss_mib() - before
    assert len(np.unique(picked)) == n_queries
else:
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    blocks = [
        da.from_delayed(
            dask.delayed(load)(path, s, min(s + chunk_rows, n)),
            shape=(min(s + chunk_rows, n) - s, pool.shape[1]),
            dtype=pool.dtype,
        )
        for s in range(0, n, chunk_rows)
    ]
    X = da.concatenate(blocks)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=":0"
    ) as cluster, Client(cluster) as client:
        client.run(torch.set_num_threads, 1)
        client.run(start_peak)
        before = maxrss_mib()
        start = time.perf_counter()
        picked = querier.query(X)
        result["seconds"] = time.perf_counter() - start
        result["extra_mib"] = maxrss_mib() - before
        result["worker_extra_mib"] = max(client.run(stop_peak).values())
        assert len(np.unique(picked)) == n_queries
        if quality:
            for name in ("coreset", "badge"):
                q = make_querier(name, net).fit(X_lab, y_lab)
                greedi = q.query(X)
                with config_context(partition_size=n):
                    one = q.query(pool, backend="local")
                if name == "coreset":
                    measure = [
                        kcenter_radius(q.estimator_, pool, p, X_labeled=X_lab)
                        for p in (one, greedi)
                    ]
                else:
                    measure = [badge_cost(q.estimator_, pool, p) for p in (one, greedi)]
                result[name] = {
                    "one_stage": measure[0],
                    "greedi": measure[1],
                    "ratio": measure[1] / measure[0],
                }
print(json.dumps(result))
"""


def run_child(path, args, backend, quality):
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            path,
            args.method,
            str(args.n_queries),
            str(args.threads),
            backend,
            str(args.chunk_rows),
            "1" if quality else "0",
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"The {backend} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_pool(path, n, n_features):
    pool = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n, n_features)
    )
    rng = np.random.RandomState(n)
    for start in range(0, n, 65536):
        stop = min(start + 65536, n)
        pool[start:stop] = rng.rand(stop - start, n_features)
    pool.flush()


def slope(rows):
    if len(rows) < 2:
        return None
    return float(
        np.polyfit(
            np.log([r["n"] for r in rows]), np.log([r["seconds"] for r in rows]), 1
        )[0]
    )


def plot(rows_by_backend, slopes, path):
    from skautoal._plots import figure

    fig, ax = figure(1, 1, figsize=(5, 3.6))
    for backend, rows in rows_by_backend.items():
        name = {"local": "in process", "dask": "2-worker LocalCluster"}[backend]
        label = f"{name} (slope {slopes[backend]:.2f})" if slopes[backend] else name
        ax.loglog(
            [r["n"] for r in rows], [r["seconds"] for r in rows], "o-", label=label
        )
    ax.set_xlabel("pool size N (x 128 float32, memmap)")
    ax.set_ylabel("AutoAL query time (s)")
    ax.set_title("One query, 2 cores")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--backends", default="local,dask")
    parser.add_argument("--features", type=int, default=128)
    parser.add_argument("--method", default="autoal")
    parser.add_argument("--n-queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk-rows", type=int, default=65536)
    parser.add_argument(
        "--quality",
        type=int,
        default=None,
        help="pool size at which to measure GreeDi against one stage",
    )
    parser.add_argument("--plot", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    backends = args.backends.split(",")
    rows = {b: [] for b in backends}
    quality = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(set(sizes) | ({args.quality} if args.quality else set())):
            path = os.path.join(tmp, f"pool_{n}.npy")
            write_pool(path, n, args.features)
            for backend in backends:
                if n not in sizes and backend != "dask":
                    continue
                measure = backend == "dask" and n == args.quality
                row = run_child(path, args, backend, measure)
                row["n"] = n
                if measure:
                    quality = {k: row.pop(k) for k in ("coreset", "badge")}
                    quality["n"] = n
                if n in sizes:
                    rows[backend].append(row)
                workers = (
                    f", busiest worker +{row['worker_extra_mib']:.0f} MiB"
                    if "worker_extra_mib" in row
                    else ""
                )
                print(
                    f"N={n} {backend}: query {row['seconds']:.1f} s, peak extra "
                    f"{row['extra_mib']:.0f} MiB{workers}",
                    flush=True,
                )
            os.remove(path)
    slopes = {b: slope(r) for b, r in rows.items()}
    for backend, value in slopes.items():
        if value is not None:
            print(f"{backend}: log-log slope of time against N: {value:.2f}")
    print(
        f"\n| N | backend | {args.method} query s | peak extra MiB (client) "
        "| busiest worker MiB |"
    )
    print("|---|---|---|---|---|")
    for backend, backend_rows in rows.items():
        for r in backend_rows:
            worker = r.get("worker_extra_mib")
            worker = "" if worker is None else f"{worker:.0f}"
            print(
                f"| {r['n']:,} | {backend} | {r['seconds']:.1f} | "
                f"{r['extra_mib']:.0f} | {worker} |"
            )
    if quality:
        print(f"\nGreeDi on the cluster against one stage, N = {quality['n']:,}:")
        print("| strategy | measure | one stage | GreeDi | ratio |")
        print("|---|---|---|---|---|")
        for name, measure in (("coreset", "k-center radius"), ("badge", "D^2 cost")):
            q = quality[name]
            print(
                f"| {name} | {measure} | {q['one_stage']:.4g} | {q['greedi']:.4g} | "
                f"{q['ratio']:.3f} |"
            )
    if args.plot:
        plot({b: r for b, r in rows.items() if r}, slopes, args.plot)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "slopes": slopes, "quality": quality}, f, indent=1)


if __name__ == "__main__":
    main()
