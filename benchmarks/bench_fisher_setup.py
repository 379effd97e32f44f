"""The Fisher value's set-up and greedy search: this release against the previous.

Two changes, both on the CPU, timed on a suite block's real round (the
suite's MLP fitted on 300 labels, the candidates' proposals on the rest of
the pool; see ``_suite_query.py``), interleaved repeat by repeat in one
process:

* the whitening's principal axes: before, torch's ``E^T E`` and a full
  ``torch.linalg.eigh`` of the 256 x 256 Gram matrix; now numpy's product
  and scipy's subset solver for the ``fisher_dim`` leading pairs;
* the greedy search on one-column factors (``fisher_label="predicted"``,
  the default): before, the general steps on k x k blocks
  (``FisherBatchValue._greedy_blocks``) with batched 1 x 1 solves and
  Cholesky factors; now a few vector operations per step.

It prints the median times and whether the two make the same picks (the
greedy's order on the same value; the whole query's picks with each
set-up), then the set-up's two main parts on 1,000 of the block's centred
pool embeddings (float64, as the set-up takes them): the Gram product by
torch and by numpy, and the full eigendecomposition against the subset
solver for ``fisher_dim`` (8) axes::

    OMP_NUM_THREADS=1 python benchmarks/bench_fisher_setup.py \\
        [--blocks digits,fashion-mlp]
"""

import argparse
import os
import time

import numpy as np


def _previous_axes(E, k=None):
    """The set-up's principal axes as the previous release computed them."""
    import torch

    n, d = E.shape
    if n >= d:
        eigval, V = torch.linalg.eigh(E.T @ E)
        eigval, V = eigval.flip(0), V.flip(1)
        return eigval.clamp_min(0).sqrt(), V
    eigval, U = torch.linalg.eigh(E @ E.T)
    eigval, U = eigval.flip(0), U.flip(1)
    S = eigval.clamp_min(0).sqrt()
    return S, (E.T @ U) / S.clamp_min(torch.finfo(E.dtype).tiny)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="digits,fashion-mlp")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    print(f"torch threads: {torch.get_num_threads()}; median of {args.repeats}")
    print(
        "| block | set-up before ms | now ms | greedy before ms | now ms "
        "| same greedy order | same query picks |"
    )
    print("|---|---|---|---|---|---|---|")
    parts = []
    for block in args.blocks.split(","):
        row, part = _block_row(block, args.seed, args.repeats)
        print(row)
        parts.append(part)
    print(
        "\n| block | Gram torch ms | Gram numpy ms | full eigh ms "
        "| subset eigh ms | leading eigenvalues, largest relative difference |"
    )
    print("|---|---|---|---|---|---|")
    print("\n".join(parts))


def _median_ms(step, repeats):
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return 1e3 * float(np.median(seconds))


def _setup_parts(block, embedding, k, repeats):
    """The Gram product and the eigendecomposition, each both ways."""
    import torch

    from skautoal.search._fisher import _leading_eigh

    E = torch.as_tensor(np.asarray(embedding[:1000], dtype=np.float64))
    E = E - E.mean(0)
    values = E.numpy()
    gram = torch.from_numpy(values.T @ values)
    full = torch.linalg.eigh(gram)[0].flip(0)[:k]
    subset = _leading_eigh(gram, k)[0]
    ms = [
        _median_ms(lambda: E.T @ E, repeats),
        _median_ms(lambda: values.T @ values, repeats),
        _median_ms(lambda: torch.linalg.eigh(gram), repeats),
        _median_ms(lambda: _leading_eigh(gram, k), repeats),
    ]
    difference = float(((subset - full).abs() / full.abs()).max())
    cells = " | ".join(f"{m:.1f}" for m in ms)
    return f"| {block} | {cells} | {difference:.1e} |"


def _block_row(block, seed, repeats):
    from _suite_query import fitted_querier, search_inputs

    from skautoal.search import _fisher

    shipped = _fisher._principal_axes
    querier, X = fitted_querier(block, seed)
    outputs, labeled, _, union, value = search_inputs(querier, X)
    n = querier.n_queries

    def setup(axes):
        _fisher._principal_axes = axes
        try:
            return querier._fisher_value(outputs, labeled, np.random.RandomState(0))
        finally:
            _fisher._principal_axes = shipped

    G = value.factors(union)
    steps = {
        "setup_before": lambda: setup(_previous_axes),
        "setup_now": lambda: setup(shipped),
        "greedy_before": lambda: value._greedy_blocks(G, n, None),
        "greedy_now": lambda: value.greedy(G, n),
    }
    seconds = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            seconds[name].append(time.perf_counter() - start)
    same_order = np.array_equal(steps["greedy_before"](), steps["greedy_now"]())
    _fisher._principal_axes = _previous_axes
    try:
        before = querier.query(X)
    finally:
        _fisher._principal_axes = shipped
    same_picks = np.array_equal(before, querier.query(X))
    ms = {name: 1e3 * float(np.median(s)) for name, s in seconds.items()}
    row = (
        f"| {block} | {ms['setup_before']:.1f} | {ms['setup_now']:.1f} "
        f"| {ms['greedy_before']:.1f} | {ms['greedy_now']:.1f} "
        f"| {same_order} | {same_picks} |"
    )
    return row, _setup_parts(block, outputs.embedding, value.dim, repeats)


if __name__ == "__main__":
    main()
