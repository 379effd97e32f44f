"""The command line's errors: one line on stderr, exit status 2, no traceback."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from skautoal.__main__ import main
from tests.helpers import with_sigint


@pytest.fixture
def files(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("a,b,label\n")
    (tmp_path / "ragged.csv").write_text("a,b,label\n1,2,0\n3,4\n5,6,1\n")
    (tmp_path / "blank_label.csv").write_text("a,b,label\n1,2,0\n3,4,\n5,6,1\n")
    (tmp_path / "text.csv").write_text("a,b,label\n1,x,0\n3,4,1\n")
    (tmp_path / "semicolons.csv").write_text("a;b;label\n1;2;0\n3;4;1\n")
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 not a zip")
    np.savez(tmp_path / "no_y.npz", X=np.zeros((5, 2)))
    (tmp_path / "a_file").write_text("not a folder")
    return tmp_path


FAST = {"--seeds": "1", "--n-rounds": "1", "--no-progress": None}

BAD = [
    (["benchmark", "--methods", "magic"], "--methods"),
    (["benchmark", "--seeds", "0"], "--seeds"),
    (["benchmark", "--seeds", "abc"], "--seeds"),
    (["benchmark", "--n-queries", "0"], "--n-queries"),
    (["benchmark", "--initial-size", "0"], "--initial-size"),
    (["benchmark", "--n-rounds", "-1"], "--n-rounds"),
    (["benchmark", "--n-rounds", "0"], "--n-rounds"),
    (["benchmark", "--test-size", "1.5"], "--test-size"),
    (["benchmark", "--test-size", "a third"], "--test-size"),
    (["benchmark", "--dataset", "mnist"], "Unknown dataset"),
    (["benchmark", "--dataset", "{d}/missing.csv", "--target", "y"], "missing.csv"),
    (["benchmark", "--dataset", "{d}/x.csv"], "--target"),
    (["benchmark", "--dataset", "{d}/empty.csv", "--target", "label"], "empty.csv"),
    (["benchmark", "--dataset", "{d}/header.csv", "--target", "label"], "header.csv"),
    (["benchmark", "--dataset", "{d}/ragged.csv", "--target", "label"], "ragged.csv"),
    (["benchmark", "--dataset", "{d}/blank_label.csv", "--target", "label"], "row"),
    (["benchmark", "--dataset", "{d}/text.csv", "--target", "label"], "text.csv"),
    (["benchmark", "--dataset", "{d}/ragged.csv", "--target", "nope"], "nope"),
    (
        ["benchmark", "--dataset", "{d}/semicolons.csv", "--target", "label"],
        "holding ';': the file seems separated by it",
    ),
    (["benchmark", "--dataset", "{d}/corrupt.npz"], "corrupt.npz"),
    (["benchmark", "--dataset", "{d}/no_y.npz"], "no_y.npz"),
    (["benchmark", "--device", "gpu"], "device"),
    (["benchmark", "--out", "{d}/a_file"], "a_file"),
    (["suite", "--blocks", "digit"], "--blocks"),
    (["suite", "--seeds", "0"], "--seeds"),
    (["suite", "--methods", "margn"], "--methods"),
    (["suite", "--n-jobs", "0"], "--n-jobs"),
    (["suite", "--n-rounds", "0"], "--n-rounds"),
    (["suite", "--out", "{d}/a_file"], "a_file"),
    (["suite", "--device", "gpu"], "device"),
    (["quickstart", "--n-queries", "0"], "n_queries"),
    (["nonsense"], "invalid choice"),
]
if not torch.cuda.is_available():
    BAD += [
        (["benchmark", "--device", "cuda"], "CUDA"),
        (["suite", "--device", "cuda"], "CUDA"),
    ]


@pytest.mark.parametrize(
    "argv, mentions", BAD, ids=[" ".join(a).replace("{d}/", "") for a, _ in BAD]
)
def test_user_errors_are_one_line_without_traceback(files, capsys, argv, mentions):
    argv = [a.format(d=files) for a in argv]
    if argv[0] in ("benchmark", "suite") and "--out" not in argv:
        argv += ["--out", str(files / "out")]
    if argv[0] in ("benchmark", "suite"):
        for flag, value in FAST.items():
            if flag not in argv:
                argv += [flag] if value is None else [flag, value]
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("skautoal: error:")]
    assert len(lines) == 1, err
    assert mentions in lines[0], lines[0]
    # Nothing was started: no results folder with runs in it.
    out = files / "out"
    assert not (out.exists() and any(out.iterdir())), os.listdir(out)


def test_every_option_has_help():
    # A user reads the options and their defaults from --help.
    from skautoal.__main__ import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings} has no help"
            if action.default not in (None, False, "==SUPPRESS=="):
                assert "default" in action.help, (name, action.option_strings)


@pytest.mark.parametrize("text, expected", [("400", 400), ("0.25", 0.25)])
def test_test_size_takes_a_count_or_a_fraction(text, expected):
    from skautoal.__main__ import build_parser

    args = build_parser().parse_args(["benchmark", "--test-size", text])
    assert args.test_size == expected and type(args.test_size) is type(expected)


def test_verbose_shows_the_traceback(files, capsys):
    status = main(["--verbose", "benchmark", "--methods", "magic", "--out", str(files)])
    assert status == 2
    assert "Traceback" in capsys.readouterr().err


def _suite_cmd(out, n_jobs):
    return [
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
        "2",
        "--n-jobs",
        str(n_jobs),
        "--out",
        str(out),
        "--no-progress",
    ]


def _records(path):
    from skautoal.suite import read_runs

    keep = ("block", "method", "seed", "n_labeled", "scores", "aubc")
    return sorted(
        (tuple(json.dumps(r[k]) for k in keep) for r in read_runs(str(path))),
    )


def _signal_after_first_run(cmd, runs, sig, status):
    """Start ``cmd``, send ``sig`` once ``runs`` holds a finished run, and
    check the exit status and that no traceback was printed."""
    proc = subprocess.Popen(
        with_sigint(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.time() + 300
    while time.time() < deadline and not (runs.exists() and runs.read_text()):
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == status, err.decode()
    assert b"Traceback" not in err


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted")
    subprocess.run(_suite_cmd(out, 1), check=True, capture_output=True)
    return _records(out / "runs.jsonl")


@pytest.mark.slow
@pytest.mark.parametrize(
    "sig, status, n_jobs",
    [(signal.SIGINT, 130, 1), (signal.SIGTERM, 143, 1), (signal.SIGTERM, 143, 2)],
    ids=["SIGINT", "SIGTERM", "SIGTERM-2-jobs"],
)
def test_suite_interrupted_keeps_runs_and_resumes(
    tmp_path, uninterrupted, sig, status, n_jobs
):
    out = tmp_path / "run"
    runs = out / "runs.jsonl"
    _signal_after_first_run(_suite_cmd(out, n_jobs), runs, sig, status)
    kept = _records(runs)
    assert 1 <= len(kept) < 4
    assert set(kept) <= set(uninterrupted)  # finished runs are whole and right
    assert not [f for f in os.listdir(out) if f.endswith(".tmp")]
    subprocess.run(_suite_cmd(out, n_jobs), check=True, capture_output=True)
    assert _records(runs) == uninterrupted


def _benchmark_cmd(out):
    return [
        sys.executable,
        "-m",
        "skautoal",
        "benchmark",
        "--methods",
        "margin,random,entropy",
        "--seeds",
        "1",
        "--n-rounds",
        "2",
        "--initial-size",
        "30",
        "--n-queries",
        "10",
        "--out",
        str(out),
        "--no-progress",
    ]


def _benchmark_records(path):
    keep = ("seed", "method", "n_labeled", "scores", "aubc")
    lines = (json.loads(line) for line in path.read_text().splitlines())
    return sorted(json.dumps([r[k] for k in keep]) for r in lines)


@pytest.fixture(scope="module")
def benchmark_uninterrupted(tmp_path_factory):
    # One uninterrupted run serves both signals' tests.
    full = tmp_path_factory.mktemp("benchmark_uninterrupted")
    subprocess.run(_benchmark_cmd(full), check=True, capture_output=True)
    return _benchmark_records(full / "runs.jsonl")


@pytest.mark.slow
@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_benchmark_interrupted_keeps_runs_and_resumes(
    tmp_path, benchmark_uninterrupted, sig, status
):
    out = tmp_path / "run"
    runs = out / "runs.jsonl"
    _signal_after_first_run(_benchmark_cmd(out), runs, sig, status)
    assert 1 <= len(runs.read_text().splitlines()) < 3
    assert not (out / "results.json").exists()
    subprocess.run(_benchmark_cmd(out), check=True, capture_output=True)
    assert _benchmark_records(runs) == benchmark_uninterrupted
