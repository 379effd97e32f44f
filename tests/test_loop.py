import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skautoal.baselines import StrategyQuerier
from skautoal.loop import ActiveLearner, LearningCurve, aubc, simulate
from skautoal.strategies import EntropySampling, MarginSampling
from tests.helpers import SIGINT_AS_USUAL, default_sigint


def _querier(n_queries=10):
    return StrategyQuerier(
        LogisticRegression(max_iter=200),
        MarginSampling(),
        n_queries=n_queries,
        random_state=0,
    )


def test_aubc():
    assert aubc([10, 20, 30], [0.5, 0.5, 0.5]) == 0.5
    assert aubc([0, 10, 20], [0.0, 1.0, 1.0]) == pytest.approx(0.75)
    assert aubc([5], [0.7]) == 0.7
    with pytest.raises(ValueError, match="same, non-zero length"):
        aubc([1, 2], [0.5])
    with pytest.raises(ValueError, match="must increase"):
        aubc([3, 3], [0.1, 0.2])


def test_simulate_bookkeeping(digits):
    X, y = digits
    curve = simulate(
        _querier(),
        X[:600],
        y[:600],
        X_test=X[600:900],
        y_test=y[600:900],
        initial_size=30,
        n_rounds=4,
        random_state=0,
    )
    assert isinstance(curve, LearningCurve)
    assert curve.n_labeled == [30, 40, 50, 60, 70]
    assert len(curve.scores) == 5 and len(curve.fit_seconds) == 5
    assert len(curve.queried) == 4 and len(curve.query_seconds) == 4
    queried = np.concatenate(curve.queried)
    assert len(set(queried.tolist())) == 40
    assert curve.aubc == pytest.approx(aubc(curve.n_labeled, curve.scores))
    assert curve.to_dict()["aubc"] == curve.aubc


def test_simulate_is_silent_by_default_and_verbose_shows_a_bar(digits, capsys):
    X, y = digits
    args = dict(X_test=X[600:700], y_test=y[600:700], initial_size=30, n_rounds=1)
    simulate(_querier(), X[:300], y[:300], **args)
    assert capsys.readouterr().err == ""
    simulate(_querier(), X[:300], y[:300], verbose="my run", **args)
    assert "my run" in capsys.readouterr().err


def test_progress_is_a_deprecated_alias_of_verbose(digits):
    X, y = digits
    args = dict(X_test=X[600:700], y_test=y[600:700], initial_size=30, n_rounds=1)
    with pytest.warns(FutureWarning, match="'progress' parameter of simulate"):
        curve = simulate(_querier(), X[:300], y[:300], progress=False, **args)
    assert curve.n_labeled == [30, 40]


class _RecordingQuerier(StrategyQuerier):
    """Records the ``queried`` rows each fit gets (the bandits' reward)."""

    def fit(self, X, y, *, queried=None):
        self.__dict__.setdefault("queried_log", []).append(
            None if queried is None else len(queried)
        )
        return super().fit(X, y, queried=queried)


def test_simulate_stops_when_pool_is_exhausted(digits):
    X, y = digits
    with pytest.warns(UserWarning, match=r"30 \+ 4 \* 10 = 70 labels.*holds 45"):
        curve = simulate(
            _querier(10),
            X[:45],
            y[:45],
            X_test=X[600:700],
            y_test=y[600:700],
            initial_size=30,
            n_rounds=4,
            random_state=0,
        )
    # The curve keeps n_rounds + 1 points: the spent pool's score repeats.
    assert curve.n_labeled == [30, 40, 45, 45, 45]
    assert curve.scores[2:] == [curve.scores[2]] * 3
    assert [len(q) for q in curve.queried] == [10, 5]


def test_exhausted_rounds_do_not_pass_the_last_picks_again(digits):
    # The fits after the pool ran out get no "queried" rows, so a bandit
    # (ALBL, TAILOR) is not rewarded for the last picks again. simulate fits
    # a clone, so its rounds are played here on the querier itself.
    from skautoal import loop

    X, y = digits
    querier = _RecordingQuerier(
        LogisticRegression(max_iter=200), MarginSampling(), n_queries=10
    )
    state = loop._new_state(querier, 45, 30, 0, None)
    for _ in range(5):
        loop._play_round(state, X[:45], y[:45], X[600:700], y[600:700], 4)
    assert state["querier"].queried_log == [None, 10, 5, None, None]


def test_simulate_records_weights(digits):
    from skautoal import AutoALQuerier

    X, y = digits
    querier = AutoALQuerier(
        LogisticRegression(max_iter=200),
        strategies=[MarginSampling()],
        n_queries=10,
        random_state=0,
        pretrain_iter=5,
        search_iter=5,
    )
    curve = simulate(
        querier,
        X[:400],
        y[:400],
        X_test=X[600:800],
        y_test=y[600:800],
        initial_size=60,
        n_rounds=1,
        random_state=0,
    )
    assert curve.strategy_weights[0] == {"MarginSampling": 1.0}


def test_checkpoint_resume_matches_uninterrupted(digits, tmp_path):
    X, y = digits
    args = dict(
        X_test=X[600:800],
        y_test=y[600:800],
        initial_size=30,
        n_rounds=4,
        random_state=0,
    )
    full = simulate(_querier(), X[:500], y[:500], **args)
    path = tmp_path / "run.pkl"
    script = textwrap.dedent(
        f"""
        import os, numpy as np
        from sklearn.datasets import load_digits
        from sklearn.linear_model import LogisticRegression
        import skautoal.loop as loop
        from skautoal.baselines import StrategyQuerier
        from skautoal.strategies import EntropySampling, MarginSampling
        X, y = load_digits(return_X_y=True)
        X = (X / 16).astype(np.float32)
        rounds = []
        dump = loop._atomic_dump
        def dying_dump(state, path):
            dump(state, path)
            if state["round"] == 2:
                os._exit(3)  # killed mid-run, right after round 2 was saved
        loop._atomic_dump = dying_dump
        querier = StrategyQuerier(LogisticRegression(max_iter=200), MarginSampling(),
                                  n_queries=10, random_state=0)
        loop.simulate(querier, X[:500], y[:500], X_test=X[600:800], y_test=y[600:800],
                      initial_size=30, n_rounds=4, random_state=0,
                      checkpoint={str(path)!r})
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert proc.returncode == 3, proc.stderr
    assert path.exists()
    resumed = simulate(_querier(), X[:500], y[:500], checkpoint=path, **args)
    assert resumed.n_labeled == full.n_labeled
    np.testing.assert_allclose(resumed.scores, full.scores)
    for a, b in zip(resumed.queried, full.queried, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def _changed_runs(X, y):
    """(what differs, simulate arguments) for runs sharing pool and test sizes."""
    base = dict(
        querier=_querier(),
        X_pool=X[:300],
        y_pool=y[:300],
        X_test=X[600:700],
        y_test=y[600:700],
        initial_size=30,
        n_rounds=1,
        random_state=0,
    )
    other_strategy = StrategyQuerier(
        LogisticRegression(max_iter=200),
        EntropySampling(),
        n_queries=10,
        random_state=0,
    )
    other_model = StrategyQuerier(
        LogisticRegression(max_iter=200, C=0.5),
        MarginSampling(),
        n_queries=10,
        random_state=0,
    )
    return base, [
        ("n_queries", dict(querier=_querier(n_queries=11))),
        ("strategy", dict(querier=other_strategy)),
        ("estimator__C", dict(querier=other_model)),
        ("random_state", dict(random_state=1)),
        ("X_pool", dict(X_pool=X[300:600], y_pool=y[300:600])),
        ("y_pool", dict(y_pool=np.roll(y[:300], 1))),
        ("X_test", dict(X_test=X[700:800], y_test=y[700:800])),
        ("initial_size", dict(initial_size=40)),
        ("n_rounds", dict(n_rounds=2)),
    ]


@pytest.mark.parametrize("case", range(9))
def test_checkpoint_from_another_run_is_refused(digits, tmp_path, case):
    X, y = digits
    base, changes = _changed_runs(X, y)
    name, change = changes[case]
    path = tmp_path / "run.pkl"

    def run(args, **kwargs):
        args = dict(args)
        querier = args.pop("querier")
        X_pool, y_pool = args.pop("X_pool"), args.pop("y_pool")
        return simulate(querier, X_pool, y_pool, checkpoint=path, **args, **kwargs)

    first = run(base)
    with pytest.raises(ValueError, match="belongs to another run") as info:
        run({**base, **change})
    assert name in str(info.value)
    # The refused call left the first run's checkpoint as it was ...
    again = run(base)
    assert again.scores == first.scores
    # ... and overwrite=True replaces it with the new run.
    replaced = run({**base, **change}, overwrite=True)
    assert run({**base, **change}).scores == replaced.scores


def _simulate_small(X, y, path, **kwargs):
    return simulate(
        _querier(),
        X[:300],
        y[:300],
        X_test=X[600:700],
        y_test=y[600:700],
        initial_size=30,
        n_rounds=1,
        random_state=0,
        checkpoint=path,
        **kwargs,
    )


def test_corrupt_checkpoint_names_the_file(digits, tmp_path):
    from skautoal.loop import _CHECKPOINT_MAGIC, _sign

    X, y = digits
    path = tmp_path / "run.pkl"
    path.write_bytes(b"\x80\x04not a pickle")  # no signature
    with pytest.raises(ValueError, match="run.pkl.*is not signed"):
        _simulate_small(X, y, path)
    _simulate_small(X, y, path, overwrite=True)
    path.write_bytes(path.read_bytes()[:-20])  # truncated by a full disk
    with pytest.raises(ValueError, match="run.pkl.*is not signed"):
        _simulate_small(X, y, path)
    garbage = b"\x80\x04not a pickle"
    path.write_bytes(_CHECKPOINT_MAGIC + _sign(garbage) + garbage)
    with pytest.raises(ValueError, match="run.pkl.*cannot be read"):
        _simulate_small(X, y, path)


def test_a_crafted_checkpoint_runs_nothing(digits, tmp_path):
    import pickle

    from skautoal.loop import _CHECKPOINT_MAGIC

    X, y = digits
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Payload())
    path = tmp_path / "run.pkl"
    for data in (payload, _CHECKPOINT_MAGIC + b"\0" * 32 + payload):
        path.write_bytes(data)
        with pytest.raises(ValueError, match="can run arbitrary code"):
            _simulate_small(X, y, path)
        assert not marker.exists()


def test_another_users_checkpoint_needs_trusted(digits, tmp_path, monkeypatch):
    X, y = digits
    path = tmp_path / "run.pkl"
    first = _simulate_small(X, y, path)
    monkeypatch.setenv("SKAUTOAL_KEY_FILE", str(tmp_path / "other.key"))
    with pytest.raises(ValueError, match="not signed by this user's key"):
        _simulate_small(X, y, path)
    assert _simulate_small(X, y, path, trusted=True).scores == first.scores
    assert (tmp_path / "other.key").stat().st_mode & 0o777 == 0o600


def test_simulate_bad_sizes(digits):
    X, y = digits
    with pytest.raises(ValueError, match="larger than the pool"):
        simulate(
            _querier(),
            X[:20],
            y[:20],
            X_test=X[:5],
            y_test=y[:5],
            initial_size=30,
            n_rounds=1,
        )
    with pytest.raises(ValueError, match="'initial_size' parameter of simulate"):
        simulate(
            _querier(),
            X[:20],
            y[:20],
            X_test=X[:5],
            y_test=y[:5],
            initial_size=0,
            n_rounds=1,
        )


def test_active_learner_round_trip(digits, tmp_path):
    X, y = digits
    pool = X[100:600]
    learner = ActiveLearner(_querier(5), pool, X_labeled=X[:50], y_labeled=y[:50])
    picked = learner.query()
    assert len(picked) == 5 and picked.max() < len(pool)
    learner.teach(picked, y[100:600][picked])
    assert learner.n_labeled == 55
    path = tmp_path / "learner.npz"
    learner.save(path)
    restored = ActiveLearner.load(path, _querier(5), pool)
    assert restored.n_labeled == 55
    assert restored.taught == learner.taught
    again = restored.query()
    assert not set(again) & set(picked)
    np.testing.assert_array_equal(again, learner.query())
    # The whole pickled learner, only with trusted=True.
    learner.save(tmp_path / "learner.pkl", format="pickle")
    with pytest.raises(ValueError, match="is a pickle.*trusted=True"):
        ActiveLearner.load(tmp_path / "learner.pkl", _querier(5), pool)
    trusted = ActiveLearner.load(tmp_path / "learner.pkl", trusted=True)
    assert trusted.taught == learner.taught


def test_saved_learner_checks_querier_and_pool(digits, tmp_path):
    X, y = digits
    learner = ActiveLearner(_querier(5), X[100:600], X_labeled=X[:50], y_labeled=y[:50])
    learner.teach([3, 4], y[[103, 104]])
    path = tmp_path / "learner.npz"
    learner.save(path)
    with pytest.raises(ValueError, match="content of X_pool"):
        ActiveLearner.load(path, _querier(5), X[101:601])
    with pytest.raises(ValueError, match="querier parameter n_queries"):
        ActiveLearner.load(path, _querier(6), X[100:600])
    with pytest.raises(TypeError, match="needs the 'querier' and 'X_pool'"):
        ActiveLearner.load(path)


def test_loading_a_malicious_pickle_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "learner.npz"
    import pickle

    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ValueError, match="is a pickle"):
        ActiveLearner.load(path, _querier(), np.zeros((5, 64)))
    assert not marker.exists()


def test_save_keeps_a_symlink(digits, tmp_path):
    X, y = digits
    learner = ActiveLearner(_querier(5), X[100:200], X_labeled=X[:50], y_labeled=y[:50])
    target = tmp_path / "real.npz"
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    learner.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert ActiveLearner.load(link, _querier(5), X[100:200]).n_labeled == 50
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_active_learner_validates_teach(digits):
    X, y = digits
    learner = ActiveLearner(_querier(5), X[100:200], X_labeled=X[:50], y_labeled=y[:50])
    with pytest.raises(ValueError, match=r"Unknown pool indices \[100\]"):
        learner.teach([100], [1])
    with pytest.raises(ValueError, match="2 indices but 1 labels"):
        learner.teach([1, 2], [1])
    with pytest.raises(ValueError, match="repeat a sample"):
        learner.teach([3, 3], [1, 1])
    with pytest.raises(TypeError, match="1-D array of ints"):
        learner.teach([0.5], [1])
    learner.teach([4], [y[104]])
    with pytest.raises(ValueError, match=r"\[4\] are already labelled"):
        learner.teach([4], [y[104]])
    assert learner.n_labeled == 51


def test_active_learner_needs_labels(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="no labels yet"):
        ActiveLearner(_querier(), X[:100]).query()
    with pytest.raises(ValueError, match="both X_labeled and y_labeled"):
        ActiveLearner(_querier(), X[:100], X_labeled=X[:5])


def test_loop_and_learner_tell_bandits_what_was_queried(digits):

    from skautoal.baselines import ALBLQuerier
    from skautoal.strategies import EntropySampling, MarginSampling

    X, y = digits
    albl = ALBLQuerier(
        LogisticRegression(max_iter=200),
        strategies=[MarginSampling(), EntropySampling()],
        n_queries=5,
        warm_start=True,
        random_state=0,
    )
    curve = simulate(
        albl,
        X[:400],
        y[:400],
        X_test=X[400:600],
        y_test=y[400:600],
        initial_size=30,
        n_rounds=3,
        random_state=0,
    )
    assert len(curve.scores) == 4
    learner = ActiveLearner(albl, X[100:500], X_labeled=X[:40], y_labeled=y[:40])
    for _ in range(3):
        picked = learner.query()
        learner.teach(picked[:4], y[100:500][picked[:4]])  # one pick left unlabelled
    assert len(learner.querier.rewards_) == 2


def test_interrupt_swallowed_by_skorch_stops_the_run(digits, monkeypatch):
    """skorch's partial_fit catches KeyboardInterrupt and returns a
    half-trained net; the querier's fit must raise it anyway."""
    import signal

    from skautoal.models import FixedStepsClassifier, default_net

    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0, max_steps=20, device="cpu")
    original = FixedStepsClassifier.fit_loop

    def interrupted_fit_loop(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl+C, mid-fit
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FixedStepsClassifier, "fit_loop", interrupted_fit_loop)
    querier = StrategyQuerier(net, MarginSampling(), n_queries=5, random_state=0)
    previous = default_sigint()
    try:
        with pytest.raises(KeyboardInterrupt):
            querier.fit(X[:100], y[:100])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not hasattr(querier, "estimator_")


def test_corrupt_saved_learner_names_the_file(tmp_path):
    path = tmp_path / "learner.pkl"
    path.write_bytes(b"\x80\x04\x95 truncated")
    with pytest.raises(ValueError, match="learner.pkl.*cannot be read"):
        ActiveLearner.load(path, trusted=True)
    path.write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(ValueError, match="learner.pkl.*cannot be read"):
        ActiveLearner.load(path, _querier(), np.zeros((5, 64)))


_SIGNAL_SCRIPT = f"""
{SIGINT_AS_USUAL}
import sys
import numpy as np
from sklearn.datasets import load_digits
import skautoal.loop as loop
from skautoal.baselines import StrategyQuerier
from skautoal.models import default_net
from skautoal.strategies import MarginSampling

X, y = load_digits(return_X_y=True)
X = (X / 16).astype(np.float32)
dump = loop._atomic_dump
def announce(state, path):
    dump(state, path)
    print("saved", state["round"], flush=True)
loop._atomic_dump = announce
steps = int(sys.argv[2])
net = default_net("mlp", (64,), 10, random_state=0, device="cpu", max_steps=steps)
querier = StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0)
loop.simulate(querier, X[:400], y[:400], X_test=X[600:800], y_test=y[600:800],
              initial_size=30, n_rounds=4, random_state=0,
              checkpoint=sys.argv[1])
print("finished", flush=True)
"""


def _run_script(path, **kwargs):
    return subprocess.run(
        [sys.executable, "-c", _SIGNAL_SCRIPT, str(path), "300"],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.mark.slow
def test_a_real_signal_keeps_the_finished_rounds(tmp_path):
    # SIGINT and SIGTERM land inside skorch's fit (which swallows Ctrl+C):
    # the process must stop with a non-zero status, the checkpoint must hold
    # the rounds finished before, and a resume must give the uninterrupted
    # curve.
    from skautoal.loop import _CHECKPOINT_MAGIC

    def state(file):  # the test's own files: unpickled without the identity check
        return pickle.loads(file.read_bytes()[len(_CHECKPOINT_MAGIC) + 32 :])

    fresh = tmp_path / "fresh.pkl"
    full = _run_script(fresh)
    assert full.returncode == 0, full.stderr[-2000:]
    expected = state(fresh)
    assert expected["round"] == 5
    for sig in (signal.SIGINT, signal.SIGTERM):
        path = tmp_path / f"run-{sig}.pkl"
        proc = subprocess.Popen(
            [sys.executable, "-c", _SIGNAL_SCRIPT, str(path), "300"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        saved = []
        for line in proc.stdout:
            saved.append(line.split())
            if saved[-1] == ["saved", "2"]:
                time.sleep(0.05)  # inside round 3's fit
                proc.send_signal(sig)
                break
        _, err = proc.communicate(timeout=120)
        assert proc.returncode in (-sig, 128 + sig), err[-2000:]
        assert state(path)["round"] == 2  # the finished rounds, no half round
        assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
        resumed = _run_script(path)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert resumed.stdout.split("\n")[0] == "saved 3"  # rounds 1-2 were kept
        got = state(path)
        assert got["curve"].scores == expected["curve"].scores
        for a, b in zip(got["curve"].queried, expected["curve"].queried, strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_damaged_key_file_is_named(digits, tmp_path, monkeypatch):
    X, y = digits
    key = tmp_path / "short.key"
    key.write_bytes(b"abc")
    monkeypatch.setenv("SKAUTOAL_KEY_FILE", str(key))
    with pytest.raises(ValueError, match="short.key.*holds 3 bytes"):
        _simulate_small(X, y, tmp_path / "run.pkl")
