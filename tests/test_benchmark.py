import csv
import json

import numpy as np
import pytest

from skautoal.__main__ import main
from skautoal.benchmark import parse_methods
from skautoal.datasets import load_csv, load_dataset, load_fashion_mnist

SMALL = [
    "--seeds",
    "1",
    "--n-rounds",
    "2",
    "--initial-size",
    "30",
    "--n-queries",
    "10",
    "--no-progress",
]


def test_benchmark_on_digits_writes_everything(tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(
            [
                "benchmark",
                "--methods",
                "autoal,uniform,margin,bait",
                "--out",
                str(out),
                *SMALL,
            ]
        )
        == 0
    )
    results = json.loads((out / "results.json").read_text())
    # BAIT, the suite's "is it just BAIT?" control, runs on request.
    assert set(results["curves"]) == {"autoal", "uniform", "margin", "bait"}
    curve = results["curves"]["autoal"][0]
    assert curve["n_labeled"] == [30, 40, 50] and len(curve["strategy_weights"]) == 3
    rows = list(csv.DictReader((out / "aubc.csv").open()))
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    assert (out / "learning_curves.png").stat().st_size > 1000
    assert (out / "strategy_weights.png").stat().st_size > 1000
    assert "| rank | method |" in capsys.readouterr().out


def test_benchmark_resumes_refuses_other_settings_and_overwrites(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["benchmark", "--methods", "margin,random", "--out", str(out), *SMALL]
    assert main(args) == 0
    runs = (out / "runs.jsonl").read_text()
    assert len(runs.splitlines()) == 2
    capsys.readouterr()
    # The same command again does no work and keeps the runs.
    assert main(args) == 0
    assert (out / "runs.jsonl").read_text() == runs
    assert "resuming: 2 of 2 runs" in capsys.readouterr().out
    # Other settings are refused, naming the difference; nothing is lost.
    other = [a if a != "10" else "12" for a in args]  # --n-queries 12
    assert main(other) == 2
    assert "n_queries: folder has 10, this run asks for 12" in capsys.readouterr().err
    assert (out / "runs.jsonl").read_text() == runs
    # --overwrite replaces them.
    assert main([*other, "--overwrite"]) == 0
    first = json.loads((out / "runs.jsonl").read_text().splitlines()[0])
    assert first["n_labeled"] == [30, 42, 54]


def test_benchmark_refuses_results_of_an_older_version(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("{}")
    assert main(["benchmark", "--out", str(out), *SMALL]) == 2
    assert (out / "results.json").read_text() == "{}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "shape, model, expected",
    [
        ((200, 1, 6, 6), "auto", "cnn"),
        # (N, H, W), as MNIST-like images are often saved: one channel. It
        # used to reach the table's StandardScaler and fail on dim 3.
        ((200, 6, 6), "auto", "cnn"),
        # Images with the MLP: flattened by the net, not scaled as a table.
        ((200, 1, 6, 6), "mlp", "mlp"),
    ],
)
def test_benchmark_on_npz_images(tmp_path, shape, model, expected):
    rng = np.random.RandomState(0)
    X = rng.rand(*shape).astype(np.float32)
    y = (X.reshape(len(X), -1).mean(1) > 0.5).astype(int)
    np.savez(tmp_path / "data.npz", X=X, y=y)
    out = tmp_path / "out"
    status = main(
        [
            "benchmark",
            "--dataset",
            str(tmp_path / "data.npz"),
            "--model",
            model,
            "--methods",
            "random,badge",
            "--out",
            str(out),
            *SMALL,
        ]
    )
    assert status == 0
    results = json.loads((out / "results.json").read_text())
    assert results["config"]["model"] == expected
    assert results["config"]["scale_features"] is False


def test_benchmark_on_csv(tmp_path):
    rng = np.random.RandomState(0)
    lines = ["a,b,label"] + [
        f"{x:.3f},{z:.3f},{'yes' if x > z else 'no'}" for x, z in rng.rand(150, 2)
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines))
    X, y = load_csv(str(tmp_path / "d.csv"), "label")
    assert X.shape == (150, 2) and set(y) == {"yes", "no"}
    main(
        [
            "benchmark",
            "--dataset",
            str(tmp_path / "d.csv"),
            "--target",
            "label",
            "--methods",
            "entropy",
            "--out",
            str(tmp_path / "o"),
            *SMALL,
        ]
    )
    assert (tmp_path / "o" / "aubc.csv").exists()


def test_bad_arguments(tmp_path, capsys):
    assert (
        main(["benchmark", "--methods", "magic", "--out", str(tmp_path), *SMALL]) == 2
    )
    assert "argument --methods: names unknown methods" in capsys.readouterr().err
    with pytest.raises(ValueError, match="The 'target' parameter of load_dataset"):
        load_dataset("x.csv")
    with pytest.raises(ValueError, match="Unknown dataset"):
        load_dataset("mnist")
    with pytest.raises(
        FileNotFoundError, match="apt-get install dataset-fashion-mnist"
    ):
        load_fashion_mnist(tmp_path)
    assert parse_methods("all")[0] == "autoal"
    assert "bait" not in parse_methods("all")  # on request only, as in the suite


def test_fashion_mnist_when_installed():
    try:
        X, y = load_fashion_mnist(subset="test")
    except FileNotFoundError:
        pytest.skip("dataset-fashion-mnist is not installed")
    assert X.shape == (10000, 1, 28, 28) and set(np.unique(y)) == set(range(10))


def test_csv_category_columns_are_one_hot_and_typos_are_errors(tmp_path):
    (tmp_path / "c.csv").write_text(
        "area,town,label\n70,south,a\n120, north,b\n95,south,a\n60,east,b\n"
    )
    X, y = load_csv(str(tmp_path / "c.csv"), "label")
    # area, then town's indicators in sorted order: east, north, south.
    np.testing.assert_array_equal(
        X,
        [[70, 0, 0, 1], [120, 0, 1, 0], [95, 0, 0, 1], [60, 1, 0, 0]],
    )
    assert X.dtype == np.float32 and list(y) == ["a", "b", "a", "b"]
    # Numbers with one value that is not one: a typo, named by row and column.
    (tmp_path / "t.csv").write_text("area,label\n70,a\n1O0,b\n95,a\n")
    with pytest.raises(ValueError, match=r"row 3: .*'area' of numbers"):
        load_csv(str(tmp_path / "t.csv"), "label")
    (tmp_path / "g.csv").write_text("area,label\n70,a\n,b\n95,a\n")
    with pytest.raises(ValueError, match="row 3"):
        load_csv(str(tmp_path / "g.csv"), "label")


def test_benchmark_scales_a_tables_own_units(tmp_path):
    # A price in tens of thousands next to small numbers: unscaled, the MLP
    # stays at chance; the benchmark puts a StandardScaler before it.
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=300, n_features=4, random_state=0)
    X[:, 0] = 5e4 + 1e4 * X[:, 0]
    rows = [",".join(f"{v:.4f}" for v in row) for row in X]
    lines = ["price,b,c,d,label"] + [
        f"{row},{label}" for row, label in zip(rows, y, strict=True)
    ]
    (tmp_path / "p.csv").write_text("\n".join(lines))
    argv = ["benchmark", "--dataset", str(tmp_path / "p.csv"), "--target", "label"]
    main([*argv, "--methods", "entropy", "--out", str(tmp_path / "o"), *SMALL])
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert results["config"]["scale_features"] is True
    scores = results["curves"]["entropy"][0]["scores"]
    assert min(scores) > 0.75  # chance is 0.5
