import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from skautoal import suite
from skautoal.suite import (
    BLOCKS,
    HELDOUT_BLOCKS,
    holm,
    load_block,
    nemenyi_cd,
    paired_bootstrap_ci,
    parse_blocks,
    read_runs,
    run_suite,
    wilcoxon_p,
)

FILES = ["runs.jsonl", "summary.csv", "cost.csv", "stats.md", "curves_digits.png"]
# One block, two methods, two seeds, one round: the small suite of these tests.
SMALL = dict(
    blocks="digits",
    methods="margin,random",
    seeds=2,
    n_rounds=1,
    n_jobs=1,
    log=lambda *a: None,
)


def _keys(path):
    return [(r["block"], r["method"], r["seed"]) for r in read_runs(path)]


@pytest.fixture(scope="module")
def small_suite(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("suite"))
    run_suite(out=out, **SMALL)
    return out


def test_suite_writes_runs_and_reports(small_suite):
    for name in FILES:
        assert os.path.getsize(os.path.join(small_suite, name)) > 0
    keys = _keys(os.path.join(small_suite, "runs.jsonl"))
    assert sorted(keys) == sorted(
        ("digits", m, s) for m in ("margin", "random") for s in (0, 1)
    )
    with open(os.path.join(small_suite, "summary.csv")) as f:
        rows = f.read().splitlines()
    assert rows[0] == "block,method,mean_aubc,sd_aubc,rank,final_accuracy,n_seeds"
    assert len(rows) == 3


def test_runs_are_paired_within_a_seed(small_suite):
    runs = read_runs(os.path.join(small_suite, "runs.jsonl"))
    by = {(r["method"], r["seed"]): r for r in runs}
    for seed in (0, 1):
        # Same split, initial set and task-model seed: the first point agrees.
        assert by[("margin", seed)]["scores"][0] == by[("random", seed)]["scores"][0]
    assert by[("margin", 0)]["scores"][0] != by[("margin", 1)]["scores"][0]


def test_rerun_does_no_work(small_suite, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a finished run was run again")

    monkeypatch.setattr(suite, "run_one", fail)
    run_suite(out=small_suite, **SMALL)
    assert len(_keys(os.path.join(small_suite, "runs.jsonl"))) == 4


def test_torn_last_line_is_rerun_without_duplicates(small_suite, tmp_path):
    out = tmp_path / "resume"
    out.mkdir()
    for name in ("settings.json",):
        (out / name).write_text((open(os.path.join(small_suite, name))).read())
    lines = open(os.path.join(small_suite, "runs.jsonl")).read().splitlines()
    # One finished run, then a write cut off by a crash.
    (out / "runs.jsonl").write_text(lines[0] + "\n" + lines[1][:40])
    calls = []
    original = suite.run_one

    def counting(*args, **kwargs):
        calls.append(args[:3])
        return original(*args, **kwargs)

    suite.run_one = counting
    try:
        run_suite(out=str(out), **SMALL)
    finally:
        suite.run_one = original
    keys = _keys(str(out / "runs.jsonl"))
    assert len(calls) == 3
    assert len(keys) == 4 and len(set(keys)) == 4


def test_other_settings_are_refused(small_suite):
    with pytest.raises(ValueError, match=r"other settings \(seeds: folder has 2"):
        run_suite(out=small_suite, **{**SMALL, "seeds": 3})


def test_data_hash_is_taken_with_the_runs_blas_threads(
    small_suite, monkeypatch, tmp_path
):
    # The settings' data hash must be that of the data the runs see: the
    # fashion block's PCA rounds by the number of BLAS threads, and the runs
    # limit them to OMP_NUM_THREADS (1 when unset), so the hash is taken
    # under the same limit, whatever the launching process had.
    from threadpoolctl import threadpool_info

    seen = []
    original = suite.load_block

    def recording(name):
        seen.append({pool["num_threads"] for pool in threadpool_info()})
        return original(name)

    monkeypatch.setattr(suite, "load_block", recording)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    out = tmp_path / "again"
    out.mkdir()
    (out / "settings.json").write_text(
        open(os.path.join(small_suite, "settings.json")).read()
    )

    class Stop(Exception):
        pass

    def stop(*args, **kwargs):
        raise Stop  # the settings were checked: no need to run

    monkeypatch.setattr(suite, "run_one", stop)
    with pytest.raises(Stop):
        run_suite(out=str(out), **SMALL)
    assert seen and seen[0] <= {1}


def test_bad_options_name_the_parameter(tmp_path):
    # Python callers read the parameter's name; the command line, the flag
    # (tests/test_cli.py).
    with pytest.raises(ValueError, match="'blocks' parameter.*unknown block 'digit'"):
        parse_blocks("digit")
    with pytest.raises(
        ValueError,
        match="The 'seeds' parameter of run_suite must be an int >= 1; got 0",
    ) as caught:
        run_suite(blocks="digits", seeds=0, out=str(tmp_path))
    assert caught.value.cli_message() == "argument --seeds: must be an int >= 1; got 0."
    with pytest.raises(ValueError, match="'methods' parameter of run_suite"):
        run_suite(blocks="digits", methods="margn", out=str(tmp_path))
    with pytest.raises(ValueError, match="'n_jobs' parameter of run_suite"):
        run_suite(blocks="digits", n_jobs=0, out=str(tmp_path))
    assert parse_blocks("all") == [
        b for b in BLOCKS if not b.endswith("-cnn") and b not in HELDOUT_BLOCKS
    ]
    assert parse_blocks("digits,images") == ["digits", "digits-cnn", "fashion-cnn"]
    # The held-out blocks run only when asked for, never with "all".
    assert parse_blocks("heldout,digits") == [*HELDOUT_BLOCKS, "digits"]
    assert not set(HELDOUT_BLOCKS) & set(parse_blocks("all"))


@pytest.mark.parametrize(
    "name, n_classes",
    [
        ("digits", 10),
        ("digits-lt", 10),
        ("noisy", 4),
        ("quantiles", 3),
        ("binary", 2),
        ("digits-38", 2),
        ("breast-cancer", 2),
        ("classes-32", 32),
        ("hastie", 2),
        ("imbalanced", 5),
    ],
)
def test_blocks_load_offline(name, n_classes):
    X, y = load_block(name)
    assert X.dtype == np.float32 and np.isfinite(X).all()
    assert len(np.unique(y)) == n_classes and len(X) == len(y)
    # Labels are 0 .. n_classes - 1 (the suite's nets and stratified splits
    # rely on it), and the same on every load.
    assert set(np.unique(y)) == set(range(n_classes))
    np.testing.assert_array_equal(load_block(name)[0], X)
    if name == "digits-lt":
        counts = np.bincount(y)
        assert counts[0] > 5 * counts[9]
    if name == "imbalanced":
        counts = np.bincount(y)
        assert counts[0] > 10 * counts[4]


def test_fashion_4_block_when_installed():
    try:
        X, y = load_block("fashion-4")
    except FileNotFoundError:
        pytest.skip("dataset-fashion-mnist is not installed")
    # Four confusable classes of the test images, 1000 each, as 50 features.
    assert X.shape == (4000, 50) and X.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(y), [1000] * 4)


def test_statistics_helpers():
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    # Demšar (2006), Table 5: q_0.05 = 3.164 for 10 methods.
    assert nemenyi_cd(10, 8) == pytest.approx(3.164 * np.sqrt(110 / 48), rel=1e-3)
    diffs = np.random.RandomState(0).normal(0.01, 0.005, 15)
    low, high = paired_bootstrap_ci(diffs)
    assert low < diffs.mean() < high and low > 0
    assert wilcoxon_p(np.zeros(5)) == 1.0
    assert wilcoxon_p(np.arange(1, 13) * 0.001) < 0.01


def test_runs_record_the_machine_and_costs_compare_only_on_one(small_suite):
    runs = read_runs(os.path.join(small_suite, "runs.jsonl"))
    assert {r["machine"] for r in runs} == {suite.machine_tag()}

    def run(method, seed, seconds, machine, block="a"):
        return dict(
            block=block,
            method=method,
            seed=seed,
            aubc=0.5 + 0.01 * seed,
            scores=[0.5, 0.6],
            fit_seconds=[seconds],
            query_seconds=[0.0],
            machine=machine,
        )

    # Entropy ran on machine "x" (1 s); margin there took 2 s: ratio 2. BADGE
    # ran on "y", where no entropy run gives a reference: no ratio, rather
    # than one that compares two machines' speeds. A run without a tag (an
    # older record) is its own machine.
    runs = [run("entropy", s, 1.0, "x") for s in range(3)]
    runs += [run("margin", s, 2.0, "x") for s in range(3)]
    runs += [run("badge", s, 9.0, "y") for s in range(3)]
    runs += [run("random", s, 1.0, "x") for s in range(2)]
    runs += [dict(run("random", 2, 1.0, "x"), machine=None)]
    # A second block, whose comparisons must still be against the reference.
    runs += [dict(r, block="b") for r in runs]
    stats = suite.compute_stats(runs, reference="margin")
    costs = {
        c["method"]: c["ratio_to_entropy"] for c in stats["costs"] if c["block"] == "a"
    }
    assert costs["entropy"] == 1.0 and costs["margin"] == 2.0
    assert np.isnan(costs["badge"]) and np.isnan(costs["random"])
    assert stats["reference"] == "margin" and set(stats["comparisons"]) == {"a", "b"}


def test_curves_keep_each_method_style_across_blocks(tmp_path):
    # Runs finish in a different order in each block; a method must still
    # have one colour and marker in every block's plot.
    from skautoal._plots import plot_suite_curves

    def runs(methods):
        return [
            dict(method=m, seed=0, n_labeled=[10, 20], scores=[0.5, 0.6], aubc=0.55)
            for m in methods
        ]

    order = ["autoal", "margin", "random", "badge"]
    styles = []
    for block, methods in [("a", ["random", "badge", "autoal"]), ("b", order)]:
        fig = plot_suite_curves(
            runs(methods), block, tmp_path / f"{block}.png", order=order
        )
        lines = fig.axes[0].get_lines()
        styles.append(
            {
                line.get_label().split()[0]: (line.get_color(), line.get_marker())
                for line in lines
            }
        )
        assert [line.get_label().split()[0] for line in lines] == [
            m for m in order if m in methods
        ]
    assert all(styles[0][m] == styles[1][m] for m in styles[0])
    assert len(set(styles[1].values())) == len(order)


@pytest.mark.slow
def test_cli_killed_after_first_run_resumes(tmp_path):
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "skautoal",
        "suite",
        "--blocks",
        "digits",
        "--methods",
        "margin,random",
        "--seeds",
        "2",
        "--n-rounds",
        "3",
        "--n-jobs",
        "1",
        "--out",
        str(out),
        "--no-progress",
    ]
    proc = subprocess.Popen(cmd, start_new_session=True)
    runs = out / "runs.jsonl"
    deadline = time.time() + 300
    while time.time() < deadline and not (runs.exists() and runs.read_text()):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 1 <= len(read_runs(str(runs))) < 4
    subprocess.run(cmd, check=True, capture_output=True)
    keys = _keys(str(runs))
    assert len(keys) == 4 and len(set(keys)) == 4
    for name in ("summary.csv", "stats.md", "curves_digits.png"):
        assert (out / name).exists()
    assert json.loads((out / "settings.json").read_text())["seeds"] == 2


@pytest.mark.slow
def test_smoke_suite_two_blocks_parallel(tmp_path):
    out = str(tmp_path / "smoke")
    runs = run_suite(
        blocks="digits,binary",
        methods="autoal,margin,random",
        seeds=2,
        n_rounds=2,
        n_jobs=2,
        out=out,
        log=lambda *a: None,
    )
    assert len(runs) == 12
    stats = open(os.path.join(out, "stats.md")).read()
    assert "autoal minus each method" in stats and "Friedman" in stats
    # Too few seeds for the protocol: said at the top; every section apart.
    assert "Only 2 paired seeds" in stats.split("##")[0]
    assert "|\n## autoal: round-to-round" not in stats
    assert "\n\n## autoal: round-to-round" in stats
    assert os.path.exists(os.path.join(out, "critical_difference.png"))


def test_a_run_uses_one_blas_thread_whatever_the_parent(monkeypatch):
    # The fashion block's PCA rounds differently on several BLAS threads: a
    # run must not depend on how many threads the process started with.
    from threadpoolctl import threadpool_info, threadpool_limits

    seen = []

    def spy(name):
        seen.append({p["num_threads"] for p in threadpool_info()})
        raise RuntimeError("stop here")

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(suite, "load_block", spy)
    with threadpool_limits(limits=2), pytest.raises(RuntimeError, match="stop"):
        suite.run_one("digits", "margin", 0)
    assert seen == [{1}]


def test_run_one_keeps_the_picks_on_request(monkeypatch):
    # The picks' pool indices and labels, for diagnostics (which classes a
    # method labels); without the flag the record stays small.
    import numpy as np

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    record = suite.run_one("digits-38", "margin", 0, n_rounds=2, picks=True)
    block = suite.BLOCKS["digits-38"]
    assert [len(q) for q in record["queried"]] == [block.n_queries] * 2
    from sklearn.model_selection import train_test_split

    _, y = np.unique(suite.load_block("digits-38")[1], return_inverse=True)
    y_pool = train_test_split(y, test_size=block.test_size, stratify=y, random_state=0)[
        0
    ]
    for queried, labels in zip(
        record["queried"], record["queried_labels"], strict=True
    ):
        np.testing.assert_array_equal(y_pool[queried], labels)
    plain = suite.run_one("digits-38", "margin", 0, n_rounds=2)
    assert "queried" not in plain and "queried_labels" not in plain
    assert plain["scores"] == record["scores"]


def test_read_runs_reads_a_gzipped_copy(tmp_path):
    # The stored results are gzipped; a torn last line is dropped either way.
    import gzip
    import json

    text = json.dumps({"block": "digits", "seed": 0}) + "\n" + '{"block": "dig'
    (tmp_path / "runs.jsonl").write_text(text)
    with gzip.open(tmp_path / "runs.jsonl.gz", "wt") as f:
        f.write(text)
    expected = [{"block": "digits", "seed": 0}]
    assert suite.read_runs(tmp_path / "runs.jsonl") == expected
    assert suite.read_runs(str(tmp_path / "runs.jsonl.gz")) == expected
    assert suite.read_runs(tmp_path / "runs.jsonl.gz") == expected
