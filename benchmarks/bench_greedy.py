"""The Fisher greedy search against the alternatives tried for its speed.

The greedy's 50 steps each solve a k x k system per proposal
(``tr(R_i^-1 T_i)``; k is the querier's ``fisher_rank``, 4, with ten
classes, and C with up to five) and update those blocks. This times, on
one fitted suite MLP and its real proposals per block, interleaved repeat
by repeat in one process:

- the shipped ``FisherBatchValue.greedy``;
- a lazy greedy that bounds each gain by ``tr(T_i)`` (exact, since ``R_i =
  I + G_i^T M^-1 G_i >= I``), recomputes the exact gain of only the
  proposals whose bound beats the best exact gain so far, and keeps the
  bounds up to date by their trace updates;
- one step's solve for every proposal by ``torch.linalg.solve``, by a
  Cholesky factor and two triangular solves, and by a Gauss-Jordan
  elimination vectorised over the proposals in torch.

It prints the times, whether the lazy greedy picks the same, and how many
proposals it evaluates per step::

    OMP_NUM_THREADS=1 python benchmarks/bench_greedy.py [--blocks digits,fashion-mlp]
"""

import argparse
import os

import numpy as np


def lazy_greedy(value, G, n_select):
    """Greedy by upper bounds ``tr(T_i) >= gain_i``; exact gains on demand."""
    import torch

    n, P, C = G.shape
    stacked = G.transpose(1, 2).reshape(n * C, P)
    A, F_U = value.M_inv.clone(), value.F_U
    bound = ((stacked @ (A @ F_U @ A)) * stacked).reshape(n, -1).sum(1)
    eye = torch.eye(C, dtype=G.dtype)
    taken = torch.zeros(n, dtype=torch.bool)
    order, evaluated = [], []
    for _ in range(min(n_select, n)):
        b = bound.masked_fill(taken, -np.inf)
        ranked = torch.argsort(b, descending=True)
        available = int((~taken).sum())
        k = min(8, available)
        while True:
            rows = ranked[:k]
            AG = torch.matmul(A, G[rows])
            R = eye + G[rows].transpose(1, 2) @ AG
            T = AG.transpose(1, 2) @ torch.matmul(F_U, AG)
            gain = torch.linalg.solve(R, T).diagonal(dim1=1, dim2=2).sum(1)
            best = int(torch.argmax(gain))
            if k == available or float(gain[best]) > float(b[ranked[k]]) * (1 + 1e-9):
                break
            k = min(2 * k, available)
        evaluated.append(k)
        j = int(rows[best])
        order.append(j)
        taken[j] = True
        Q_j = A @ G[j]
        K = torch.linalg.inv(R[best])
        K = (K + K.T) / 2
        blocks = stacked @ torch.cat([Q_j, A @ (F_U @ Q_j)], 1)
        S, U = blocks.reshape(n, C, 2 * C).split(C, 2)
        SK = S @ K
        bound = bound - 2 * (U * SK).sum((1, 2)) + ((SK @ T[best]) * SK).sum((1, 2))
        A = A - Q_j @ K @ Q_j.T
    return np.asarray(order, dtype=np.int64), evaluated


def _solves(R, T):
    import torch

    C = R.shape[1]

    def lu():
        return torch.linalg.solve(R, T).diagonal(dim1=1, dim2=2).sum(1)

    def cholesky():
        L = torch.linalg.cholesky_ex(R)[0]
        X = torch.linalg.solve_triangular(L, T, upper=False)
        Y = torch.linalg.solve_triangular(L, X.transpose(1, 2), upper=False)
        return Y.diagonal(dim1=1, dim2=2).sum(1)

    def gauss_jordan():
        A = torch.cat([R, T], 2).clone()
        for k in range(C):
            row = A[:, k, :] / A[:, k, k : k + 1]
            A = A - A[:, :, k : k + 1] * row[:, None, :]
            A[:, k, :] = row
        return A[:, :, C:].diagonal(dim1=1, dim2=2).sum(1)

    return {"LU solve": lu, "Cholesky": cholesky, "Gauss-Jordan": gauss_jordan}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="digits,fashion-mlp,quantiles,binary")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from _suite_query import fitted_querier, search_inputs, timed

    print(f"torch threads: {torch.get_num_threads()}; 50 picks")
    print(
        "| block | seed | proposals | shipped ms | lazy ms | lazy / shipped "
        "| same picks | lazy evaluates per step | one step's solves, ms: LU / "
        "Cholesky / Gauss-Jordan |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.blocks.split(","):
        for seed in range(args.seeds):
            querier, X = fitted_querier(name, seed)
            _, _, _, union, value = search_inputs(querier, X)
            G = value.factors(union)
            times = {"shipped": [], "lazy": []}
            for _ in range(args.repeats):  # interleaved
                seconds, shipped = timed(lambda v=value, g=G: v.greedy(g, 50), 1)
                times["shipped"].append(seconds)
                seconds, (lazy, evaluated) = timed(
                    lambda v=value, g=G: lazy_greedy(v, g, 50), 1
                )
                times["lazy"].append(seconds)
            Q = torch.matmul(value.M_inv, G)
            R = torch.eye(G.shape[2], dtype=G.dtype) + G.transpose(1, 2) @ Q
            T = Q.transpose(1, 2) @ torch.matmul(value.F_U, Q)
            solves = _solves(R, T)
            reference = solves["LU solve"]()
            solve_ms = []
            for step in solves.values():
                seconds, result = timed(step, 20 * args.repeats)
                torch.testing.assert_close(result, reference)
                solve_ms.append(f"{1000 * seconds:.2f}")
            shipped_s, lazy_s = (np.median(times[k]) for k in ("shipped", "lazy"))
            print(
                f"| {name} | {seed} | {len(union)} | {1000 * shipped_s:.1f} | "
                f"{1000 * lazy_s:.1f} | {lazy_s / shipped_s:.2f}x | "
                f"{'yes' if np.array_equal(shipped, lazy) else 'no'} | "
                f"{np.mean(evaluated):.0f} of {len(union)} (max {max(evaluated)}) | "
                f"{' / '.join(solve_ms)} |"
            )


if __name__ == "__main__":
    main()
