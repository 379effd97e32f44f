"""Write the suite part of docs/results.md from a suite folder.

    python benchmarks/results_page.py suite_results > suite_section.md

Copies the CD diagram, the learning curves and the shares plot to
docs/_static/results/suite/ and prints Markdown: the promise checked
criterion by criterion, mean ranks, per-block AUBC tables, and stats.md.
"""

import csv
import json
import os
import shutil
import sys


def _criteria(stats, reference="autoal"):
    overall = stats["overall"]
    methods, ranks = overall["methods"], overall["mean_rank"]
    order = sorted(range(len(methods)), key=lambda i: ranks[i])
    ref_rank = ranks[methods.index(reference)]
    first = methods[order[0]]
    better = [
        r["method"]
        for r in overall.get("across_blocks", [])
        if r["p_holm"] < 0.05 and r["diff"] < 0
    ]
    lines = ["| criterion (issue 9) | measured | met? |", "|---|---|---|"]
    met1 = ref_rank == ranks[order[0]] or (
        ref_rank - ranks[order[0]] <= 0.5 and not better
    )
    lines.append(
        f"| 1. mean rank first, or within 0.5 of first with no method significantly "
        f"better | {reference} {ref_rank:.2f}; first {first} {ranks[order[0]]:.2f}; "
        f"significantly better (Wilcoxon-Holm on block means): "
        f"{', '.join(better) or 'none'} | {'yes' if met1 else 'no'} |"
    )
    gaps = stats["gaps"]
    worst = min(gaps, key=lambda g: g["low"])
    met2 = all(g["low"] > -0.005 for g in gaps)
    lines.append(
        f"| 2. in every block, lower 95% CI bound of {reference} minus the best "
        f"single candidate > -0.005 | lowest: {worst['block']} "
        f"{worst['low']:+.4f} (vs {worst['best']}); "
        f"{sum(g['low'] > -0.005 for g in gaps)}/{len(gaps)} blocks pass | "
        f"{'yes' if met2 else 'no'} |"
    )
    for other in ("uniform", "autoal-simulation"):
        wins = [
            b
            for b, rows in stats["comparisons"].items()
            for r in rows
            if r["method"] == other and r["p_holm"] < 0.05 and r["diff"] > 0
        ]
        n = len(stats["comparisons"])
        lines.append(
            f"| 3. significantly better than {other} (Holm p < 0.05) in at least "
            f"half of the blocks | {len(wins)}/{n}: {', '.join(wins) or 'none'} | "
            f"{'yes' if 2 * len(wins) >= n else 'no'} |"
        )
    return "\n".join(lines)


def _final_shares(out, method="autoal"):
    """Mean over seeds of ``method``'s strategy shares after its last round,
    per block, as a Markdown table (the largest share of each row bold)."""
    shares = {}
    with open(os.path.join(out, "runs.jsonl")) as f:
        for line in f:
            run = json.loads(line)
            if run["method"] == method and run.get("strategy_weights"):
                last = run["strategy_weights"][-1]
                shares.setdefault(run["block"], []).append(last)
    if not shares:
        return ""
    names = sorted({k for runs in shares.values() for r in runs for k in r})
    short = [n.replace("Sampling", "") for n in names]
    lines = [
        "| block | " + " | ".join(short) + " |",
        "|---|" + "---|" * len(names),
    ]
    for block, runs in shares.items():
        means = [sum(r.get(n, 0.0) for r in runs) / len(runs) for n in names]
        top = max(means)
        cells = [f"**{m:.3f}**" if m == top else f"{m:.3f}" for m in means]
        lines.append(f"| {block} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(out):
    static = os.path.join(
        os.path.dirname(__file__), "..", "docs", "_static", "results", "suite"
    )
    os.makedirs(static, exist_ok=True)
    for name in os.listdir(out):
        if name.endswith(".png") or name in ("summary.csv", "cost.csv", "stats.md"):
            shutil.copy(os.path.join(out, name), static)
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    with open(os.path.join(out, "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "cost.csv")) as f:
        costs = {(r["block"], r["method"]): r for r in csv.DictReader(f)}
    print("## The promise, checked\n")
    print(_criteria(stats))
    overall = stats["overall"]
    print(
        f"\n### Mean rank over {overall['n_blocks']} blocks\n\nFriedman p = "
        f"{overall['friedman_p']:.3g}; Nemenyi critical difference "
        f"{overall['cd']:.2f} ranks.\n"
    )
    print("![critical difference](_static/results/suite/critical_difference.png)\n")
    print("## Per block\n")
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
            # nan: the method's runs and entropy's ran on different machines.
            ratio = "n/a" if ratio == "nan" else f"{ratio}x"
            print(
                f"| {float(r['rank']):g} | {name} | {r['mean_aubc']} | {r['sd_aubc']} "
                f"| {r['final_accuracy']} | {ratio} |"
            )
        print(f"\n![{block}](_static/results/suite/curves_{block}.png)\n")
    print("## Strategy shares\n")
    print("![shares](_static/results/suite/strategy_shares.png)\n")
    table = _final_shares(out)
    if table:
        print(
            "Final shares (`strategy_weights_` after the last round, mean over "
            "seeds): the candidates whose proposals the Fisher value took.\n"
        )
        print(table + "\n")
    with open(os.path.join(out, "stats.md")) as f:
        text = f.read().replace("# Suite statistics", "## Statistics")
    print(
        text.replace("\n## ", "\n### ").replace("\n### Statistics", "\n## Statistics")
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "suite_results")
