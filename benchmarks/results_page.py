"""Turn a suite folder into the tables of docs/results.md.

    python benchmarks/results_page.py suite_results > /tmp/suite_tables.md

Copies the CD diagram and the learning curves to docs/_static/results/suite/
and prints Markdown: per block the AUBC table (mean, s.d., rank, final
accuracy), then stats.md.
"""

import csv
import os
import shutil
import sys


def main(out):
    static = os.path.join(
        os.path.dirname(__file__), "..", "docs", "_static", "results", "suite"
    )
    os.makedirs(static, exist_ok=True)
    for name in os.listdir(out):
        if name.endswith(".png") or name in ("summary.csv", "cost.csv", "stats.md"):
            shutil.copy(os.path.join(out, name), static)
    with open(os.path.join(out, "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "cost.csv")) as f:
        costs = {(r["block"], r["method"]): r for r in csv.DictReader(f)}
    for block in dict.fromkeys(r["block"] for r in rows):
        block_rows = sorted(
            (r for r in rows if r["block"] == block), key=lambda r: float(r["rank"])
        )
        print(f"### {block} ({block_rows[0]['n_seeds']} paired seeds)\n")
        print("| rank | method | AUBC mean | s.d. | final accuracy | round / entropy |")
        print("|---|---|---|---|---|---|")
        for r in block_rows:
            name = f"**{r['method']}**" if r["method"] == "autoal" else r["method"]
            ratio = costs[(block, r["method"])]["ratio_to_entropy"]
            print(
                f"| {float(r['rank']):g} | {name} | {r['mean_aubc']} | {r['sd_aubc']} "
                f"| {r['final_accuracy']} | {ratio}x |"
            )
        print(f"\n![{block}](_static/results/suite/curves_{block}.png)\n")
    with open(os.path.join(out, "stats.md")) as f:
        print(f.read().replace("# Suite statistics", "## Statistics"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "suite_results")
