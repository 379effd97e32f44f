"""How much does skipping torch's DataLoader save in a default_net fit?

``FixedStepsClassifier`` feeds plain arrays to the module without a
``DataLoader`` (bitwise the same training; see
``tests/models/test_default_net.py``). Any ``iterator_train__*`` option
sends a fit through the loader, so ``iterator_train__num_workers=0`` (the
loader's default) measures the old path. The two are interleaved fit by
fit in one process, so the machine's load hits both alike; the ratio is
per pair, reported as the median and the range.

    OMP_NUM_THREADS=1 python benchmarks/bench_fit.py [--repeats 9]
"""

import argparse
import os
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from skautoal.datasets import load_digits_data
    from skautoal.models import default_net

    X, y = load_digits_data()
    cases = {
        "mlp, 50 labels": ("mlp", X, 50),
        "mlp, 300 labels": ("mlp", X, 300),
        "cnn (1x8x8), 300 labels": ("cnn", X.reshape(-1, 1, 8, 8), 300),
    }
    print("| task model | loader s | no loader s | ratio, median (range) |")
    print("|---|---|---|---|")
    for name, (kind, data, n) in cases.items():
        times = {"loader": [], "direct": []}
        for repeat in range(args.repeats + 1):
            for path, extra in (
                ("loader", {"iterator_train__num_workers": 0}),
                ("direct", {}),
            ):
                net = default_net(
                    kind, data.shape[1:], 10, random_state=repeat, device="cpu", **extra
                )
                start = time.perf_counter()
                net.fit(data[:n], y[:n])
                if repeat:  # the first pair warms up
                    times[path].append(time.perf_counter() - start)
        ratio = np.array(times["direct"]) / np.array(times["loader"])
        print(
            f"| {name} | {np.median(times['loader']):.3f} | "
            f"{np.median(times['direct']):.3f} | {np.median(ratio):.2f} "
            f"({ratio.min():.2f}-{ratio.max():.2f}) |"
        )


if __name__ == "__main__":
    main()
