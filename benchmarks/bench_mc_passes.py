"""MC-dropout passes: the pruned suffix against the hooked one.

BALD, VarRatio and MeanSTD read ``n_passes`` MC-dropout passes over the
pool. skautoal's modules run the layers before the first dropout once per
chunk; after it, each pass now computes only the units its dropout masks
keep (``_pruned_plan``) instead of running the whole suffix with the masks
applied by forward hooks. This times both on the suite's MLP (256 units,
dropout 0.5) fitted on 300 labels of a block, on that block's pool,
interleaved repeat by repeat in one process, and checks that the
probabilities are the same::

    OMP_NUM_THREADS=1 python benchmarks/bench_mc_passes.py [--blocks digits,fashion-mlp]
"""

import argparse
import os
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="digits,fashion-mlp,mnist1d")
    parser.add_argument("--n-passes", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from skautoal.models import TaskModel, _adapter, default_net
    from skautoal.suite import BLOCKS, load_block

    shipped = _adapter._prunable
    print(f"torch threads: {torch.get_num_threads()}; {args.n_passes} passes")
    print("| block | pool | hooked s | pruned s | pruned / hooked | same |")
    print("|---|---|---|---|---|---|")
    for name in args.blocks.split(","):
        X, y = load_block(name)
        _, y = np.unique(y, return_inverse=True)
        order = np.random.RandomState(0).permutation(len(y))
        lab, pool = order[:300], order[300:]
        net = default_net(
            BLOCKS[name].kind, X.shape[1:], int(y.max()) + 1, random_state=0
        )
        model = TaskModel(net.fit(X[lab], y[lab]))
        times, proba = {"hooked": [], "pruned": []}, {}
        try:
            for repeat in range(args.repeats + 1):  # the first is a warm-up
                for path in ("hooked", "pruned"):
                    _adapter._prunable = (
                        shipped if path == "pruned" else (lambda layers: False)
                    )
                    start = time.perf_counter()
                    proba[path] = model.mc_predict_proba(X[pool], args.n_passes, 0)
                    if repeat:
                        times[path].append(time.perf_counter() - start)
        finally:
            _adapter._prunable = shipped
        hooked, pruned = (np.median(times[k]) for k in ("hooked", "pruned"))
        if np.array_equal(proba["hooked"], proba["pruned"]):
            same = "bit for bit"
        else:
            same = f"max diff {np.abs(proba['hooked'] - proba['pruned']).max():.1e}"
        print(
            f"| {name} | {len(pool)} | {hooked:.3f} | {pruned:.3f} | "
            f"{pruned / hooked:.2f}x | {same} |"
        )


if __name__ == "__main__":
    main()
