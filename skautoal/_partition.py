"""Two-stage queries over partitions of a large pool, in this process or on
Dask workers.

Stage one: each partition of the pool runs the querier's candidates (or its
own scores) on that partition alone and proposes their picks. Stage two: the
querier runs, as on any pool, on the union of the proposals and a random
sample of the pool (whose rows give pool statistics, such as the Fisher
value's ``F_U``). A score strategy's global top k lies in the union of the
partitions' top k, so margin, entropy and least confidence pick the same
rows as in one stage; the greedy strategies (CoreSet, BADGE, KMeans) become
the two-stage distributed greedy GreeDi (Mirzasoleiman et al., NeurIPS
2013). The task model's outputs are held for one partition at a time.
"""

import sys
import threading

import numpy as np
from sklearn_compat.utils._indexing import _safe_indexing

from .utils._arrays import RowSubset
from .utils._validation import is_lazy_array

__all__ = ["BACKENDS", "plan_query", "propose", "stage_one"]

BACKENDS = ("auto", "local", "dask")

# Stage one registers dropout hooks on the task model's layers, so the tasks
# of one process (threads of a Dask worker or of dask's local scheduler)
# take turns; processes run in parallel.
_STAGE_ONE_LOCK = threading.Lock()


def is_dask_array(X):
    """Whether ``X`` is a dask array (without importing dask)."""
    if "dask.array" not in sys.modules:
        return False
    import dask.array as da

    return isinstance(X, da.Array)


def active_client():
    """The active ``dask.distributed`` client, or None."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_client

    try:
        return get_client()
    except ValueError:
        return None


def _require_dask():
    try:
        import dask.array  # noqa: F401
    except ImportError as exc:  # pragma: no cover - dask is a dev dependency
        raise ImportError(
            "query(..., backend='dask') needs dask: pip install 'skautoal[dask]'."
        ) from exc


def plan_query(X_pool, n_pool, backend, partition_size):
    """How a query runs: ``("one", None)`` (one stage, in process),
    ``("local", None)`` (two stages over partitions, in process) or
    ``("dask", client)`` (two stages over the dask array's chunks; ``client``
    is the active distributed client or None for dask's local scheduler)."""
    if backend not in BACKENDS:
        raise ValueError(
            f"The 'backend' parameter of query must be one of {list(BACKENDS)}; "
            f"got {backend!r}."
        )
    client = active_client()
    if backend == "dask" or (
        backend == "auto" and client is not None and is_dask_array(X_pool)
    ):
        _require_dask()
        return "dask", client
    if n_pool > partition_size:
        return "local", None
    return "one", None


def partition_seeds(seed, n_partitions):
    """One seed per partition, drawn from ``seed``: a partition's draws do not
    depend on how many partitions there are or where it runs."""
    return [
        int(s)
        for s in np.random.SeedSequence([seed, n_partitions]).generate_state(
            n_partitions
        )
    ]


def stage_one(querier, X_part, n_queries, seed):
    """The rows of ``X_part`` that ``querier`` proposes: sorted int64 indices
    into ``X_part``. Runs on a Dask worker as well as in process."""
    with _STAGE_ONE_LOCK:
        random_state = np.random.RandomState(seed)
        outputs = querier._pool_outputs(X_part, random_state)
        k = min(n_queries, len(outputs))
        rows = querier._propose(outputs, k, random_state)
        return np.unique(np.asarray(rows, dtype=np.int64))


def _partition(X, start, stop):
    """Rows ``start:stop`` of a pool, read a chunk at a time when the pool is
    lazy (memmap, zarr, dask or a row subset)."""
    if isinstance(X, RowSubset):
        return RowSubset(X.X, X.indices[start:stop])
    if is_lazy_array(X):
        return RowSubset(X, np.arange(start, stop))
    if isinstance(X, np.ndarray):
        return X[start:stop]  # a numpy array or memmap: a view
    return _safe_indexing(X, slice(start, stop))  # a data frame, sparse matrix


def _propose_local(querier, X_pool, n_pool, n_queries, seed, partition_size):
    starts = list(range(0, n_pool, partition_size))
    seeds = partition_seeds(seed, len(starts))
    proposed = [
        start
        + stage_one(
            querier,
            _partition(X_pool, start, min(start + partition_size, n_pool)),
            n_queries,
            part_seed,
        )
        for start, part_seed in zip(starts, seeds, strict=True)
    ]
    return np.concatenate(proposed)


def _as_dask(X_pool, partition_size):
    import dask.array as da

    if not is_dask_array(X_pool):
        chunks = (partition_size,) + tuple(X_pool.shape[1:])
        X_pool = da.from_array(X_pool, chunks=chunks)
    X = X_pool.rechunk({axis: -1 for axis in range(1, X_pool.ndim)})
    if max(X.chunks[0]) > partition_size:
        X = X.rechunk({0: partition_size})
    return X


def _propose_dask(querier, X_pool, n_queries, seed, partition_size, client):
    import dask

    X = _as_dask(X_pool, partition_size)
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])])[:-1]
    blocks = X.to_delayed().ravel()
    seeds = partition_seeds(seed, len(blocks))
    if client is not None:
        # Sent once to every worker; each task gets a reference.
        shared = client.scatter(querier, broadcast=True, hash=False)
    else:
        shared = querier
    task = dask.delayed(stage_one, pure=False)
    tasks = [
        task(shared, block, n_queries, part_seed)
        for block, part_seed in zip(blocks, seeds, strict=True)
    ]
    if client is not None:
        proposed = client.gather(client.compute(tasks))
    else:
        proposed = dask.compute(*tasks, scheduler="threads")
    return np.concatenate(
        [offset + rows for offset, rows in zip(offsets, proposed, strict=True)]
    )


def propose(querier, X_pool, n_pool, n_queries, seed, *, mode, client, partition_size):
    """Stage one over every partition: the proposed pool rows (int64, not
    sorted, no repeats)."""
    if mode == "dask":
        rows = _propose_dask(querier, X_pool, n_queries, seed, partition_size, client)
    else:
        rows = _propose_local(querier, X_pool, n_pool, n_queries, seed, partition_size)
    return rows
