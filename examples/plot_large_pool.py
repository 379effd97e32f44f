"""
A large pool: memmap, partitions and a Dask cluster
===================================================

A pool of millions of samples does not fit the task model's outputs in
memory. skautoal reads a pool a chunk of rows at a time and, above the
``partition_size`` setting, queries it in two stages: each partition
proposes its candidates' picks, then the querier decides on their union and
a random sample of the pool. Here a pool of 24,000 samples stands in for a
large one (``partition_size=6_000`` gives it four partitions); see the
"Large pools" page for the measurements at a million samples.

We check two things a user relies on: margin sampling picks exactly the same
samples in two stages as in one, and CoreSet's two-stage greedy (GreeDi)
covers the pool almost as well as the one-stage greedy. Then the same query
runs on a two-worker Dask ``LocalCluster``.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification

from skautoal import AutoALQuerier, config_context
from skautoal.baselines import StrategyQuerier
from skautoal.metrics import kcenter_radius
from skautoal.models import default_net
from skautoal.strategies import CoreSet, MarginSampling

X, y = make_classification(
    26_000, 20, n_informative=10, n_classes=5, n_clusters_per_class=2, random_state=0
)
X = X.astype(np.float32)
X_labeled, y_labeled = X[:200], y[:200]

# The pool lives on disk; the query reads it a chunk of rows at a time.
folder = Path(tempfile.mkdtemp())
np.save(folder / "pool.npy", X[2000:])
X_pool = np.load(folder / "pool.npy", mmap_mode="r")
net = default_net("mlp", (20,), 5, random_state=0, device="cpu")

# %%
# Margin sampling: the same picks in one stage and in two
# -------------------------------------------------------
margin = StrategyQuerier(net, MarginSampling(), n_queries=50, random_state=0)
margin.fit(X_labeled, y_labeled)
one_stage = margin.query(X_pool)
with config_context(partition_size=6_000):
    two_stages = margin.query(X_pool)
print("margin picks identical:", np.array_equal(one_stage, two_stages))

# %%
# CoreSet: GreeDi against the one-stage greedy
# --------------------------------------------
# CoreSet minimises the k-center radius: the largest distance from a pool
# sample to its nearest picked or labelled sample. Two stages may give a
# larger radius (here the same; at a million samples 1.4% larger, see the
# "Large pools" page); the memory they need is that of one partition.
coreset = StrategyQuerier(net, CoreSet(), n_queries=50, random_state=0)
coreset.fit(X_labeled, y_labeled)
radius = {}
for name, size in [
    ("one stage", 10**9),
    ("4 partitions", 6_000),
    ("8 partitions", 3_000),
]:
    with config_context(partition_size=size):
        picked = coreset.query(X_pool)
    radius[name] = kcenter_radius(
        coreset.estimator_, X_pool, picked, X_labeled=X_labeled
    )
    print(f"{name}: k-center radius {radius[name]:.3f}")

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.bar(list(radius), list(radius.values()), color=["#4c72b0", "#dd8452", "#55a868"])
ax.set_ylabel("k-center radius (lower is better)")
ax.set_title("CoreSet on 24,000 samples: one stage or GreeDi")
fig.tight_layout()

# %%
# On a Dask cluster
# -----------------
# With a ``dask.distributed`` client active, a query on a dask array runs the
# first stage on the workers: the fitted querier is sent once, each chunk of
# rows is a partition, and only the proposed row indices come back. The same
# chunks give the same batch as the in-process partitions. (This page starts
# its workers as threads of one process, ``processes=False``; a script that
# starts worker processes needs the ``if __name__ == "__main__":`` guard, and
# a real cluster's workers run on other machines.)
try:
    import dask.array as da
    from distributed import Client, LocalCluster
except ImportError:  # pip install "skautoal[dask]"
    da = None

if da is not None:
    autoal = AutoALQuerier(net, n_queries=50, random_state=0, device="cpu")
    autoal.fit(X_labeled, y_labeled)
    dask_pool = da.from_array(X_pool, chunks=(6_000, 20))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster),
    ):
        on_cluster = autoal.query(dask_pool)
    with config_context(partition_size=6_000):
        in_process = autoal.query(X_pool)
    print("AutoAL, cluster == in process:", np.array_equal(on_cluster, in_process))
