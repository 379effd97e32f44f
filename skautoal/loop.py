"""The active-learning loop: simulated on labelled data, or with annotators."""

import json
import os
import pickle
import tempfile
import warnings
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from .utils._arrays import concat_rows, n_rows, pool_rows, take_rows
from .utils._fingerprint import fingerprint_differences, run_fingerprint
from .utils._timer import Stopwatch
from .utils._validation import (
    _DEPRECATED,
    check_label_kinds,
    check_positive_int,
    find_stack_level,
    resolve_verbose,
)


def aubc(n_labeled, scores):
    """Area under the budget curve: the trapezoid area under ``scores`` over
    ``n_labeled``, divided by the span of ``n_labeled``.

    Parameters
    ----------
    n_labeled : array-like of shape (n_points,)
        Increasing label counts.
    scores : array-like of shape (n_points,)
        The test score at each count.

    Returns
    -------
    aubc : float
        The mean score over the budget; with one point, that score.

    Examples
    --------
    >>> from skautoal.loop import aubc
    >>> aubc([10, 20, 30], [0.5, 0.5, 0.5])
    0.5
    >>> aubc([0, 10], [0.0, 1.0])
    0.5
    """
    n_labeled = np.asarray(n_labeled, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if n_labeled.shape != scores.shape or n_labeled.ndim != 1 or not len(scores):
        raise ValueError(
            "n_labeled and scores must be 1-D arrays of the same, non-zero length; "
            f"got shapes {n_labeled.shape} and {scores.shape}."
        )
    if len(scores) == 1:
        return float(scores[0])
    span = n_labeled[-1] - n_labeled[0]
    if span <= 0:
        raise ValueError(f"n_labeled must increase; got {n_labeled.tolist()}.")
    return float(np.trapezoid(scores, n_labeled) / span)


@dataclass
class LearningCurve:
    """The record of one active-learning run.

    Parameters
    ----------
    n_labeled : list of int
        Labels used at each evaluation (``n_rounds + 1`` points).
    scores : list of float
        The querier's test score at each point.
    queried : list of ndarray
        The pool indices queried in each round.
    fit_seconds, query_seconds : list of float
        Seconds of ``fit`` at each point and of ``query`` in each round.
    strategy_weights : list of dict
        The querier's ``strategy_weights_`` at each point, when it has them.
    """

    n_labeled: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    queried: list = field(default_factory=list)
    fit_seconds: list = field(default_factory=list)
    query_seconds: list = field(default_factory=list)
    strategy_weights: list = field(default_factory=list)

    @property
    def aubc(self):
        """The area under this curve, see :func:`aubc`."""
        return aubc(self.n_labeled, self.scores)

    def to_dict(self):
        """The curve as JSON-ready lists.

        Returns
        -------
        record : dict
            One list per field; picks as lists of int.
        """
        return {
            "n_labeled": [int(v) for v in self.n_labeled],
            "scores": [float(v) for v in self.scores],
            "aubc": self.aubc,
            "queried": [np.asarray(q).tolist() for q in self.queried],
            "fit_seconds": list(self.fit_seconds),
            "query_seconds": list(self.query_seconds),
            "strategy_weights": list(self.strategy_weights),
        }


def _atomic_write(path, write):
    """Call ``write(file)`` on a temporary file beside ``path``, then rename
    it over ``path``: a reader sees the old file or the new one, never half
    of one. A symlink at ``path`` keeps pointing where it did (its target is
    replaced), and an interrupted write leaves no temporary file."""
    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".skautoal-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


_CHECKPOINT_MAGIC = b"skautoal-checkpoint-1\n"


def checkpoint_key_path():
    """Where the key that signs this user's checkpoints lives:
    ``$SKAUTOAL_KEY_FILE``, else ``~/.skautoal/checkpoint.key``."""
    return os.environ.get("SKAUTOAL_KEY_FILE") or os.path.join(
        os.path.expanduser("~"), ".skautoal", "checkpoint.key"
    )


def _checkpoint_key():
    """The user's 32-byte signing key, created (mode 0600) on first use."""
    path = checkpoint_key_path()
    try:
        with open(path, "rb") as f:
            key = f.read()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first, or it is short
        with open(path, "rb") as f:
            key = f.read()
        if len(key) < 32:
            raise ValueError(
                f"The checkpoint key {path!r} holds {len(key)} bytes, not 32: it is "
                "damaged. Remove it (checkpoints it signed will then need "
                "trusted=True) or point $SKAUTOAL_KEY_FILE elsewhere."
            ) from None
        return key
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(32))
    with open(path, "rb") as f:
        return f.read()


def _sign(payload):
    import hashlib
    import hmac

    return hmac.new(_checkpoint_key(), payload, hashlib.sha256).digest()


def _atomic_dump(obj, path):
    """Pickle ``obj`` to ``path`` atomically (see :func:`_atomic_write`),
    signed with the user's key (HMAC-SHA256), so that loading can refuse a
    file this user did not write before unpickling anything."""
    payload = pickle.dumps(obj)
    _atomic_write(path, lambda f: f.write(_CHECKPOINT_MAGIC + _sign(payload) + payload))


def simulate(
    querier,
    X_pool,
    y_pool,
    *,
    X_test,
    y_test,
    initial_size,
    n_rounds,
    random_state=None,
    checkpoint=None,
    overwrite=False,
    verbose=0,
    trusted=False,
    progress=_DEPRECATED,
):
    """Simulate active learning on a labelled pool.

    Each round fits (a clone of) ``querier`` on the labelled part of the
    pool, scores it on the test set, queries ``querier.n_queries`` samples of
    the unlabelled part and reveals their labels. The first labelled set is
    ``initial_size`` random pool samples.

    Parameters
    ----------
    querier : querier
        An :class:`~skautoal.AutoALQuerier` or meta-baseline; it is cloned,
        and the clone carries its state (warm start, bandit weights) across
        rounds.
    X_pool, y_pool : array-like
        The pool and its (hidden) labels.
    X_test, y_test : array-like
        The test set.
    initial_size : int
        The number of random labels to start from.
    n_rounds : int
        The number of query rounds; the curve has ``n_rounds + 1`` points.
        When ``initial_size + n_rounds * n_queries`` exceeds the pool, a
        warning says so: the last query takes what is left, and the rounds
        after it refit on the whole pool and repeat its score.
    random_state : int, RandomState or None, default=None
        Seeds the initial set.
    checkpoint : str or path or None, default=None
        A file to which the state is written, atomically, after every round.
        Rerunning the same call resumes where the last run stopped. It holds
        a pickle, signed with this user's key (see ``trusted``). The file
        records the run's identity: the querier's parameters (deep), the
        ``random_state``, a content hash of the pool, its labels and the
        test set, ``initial_size`` and ``n_rounds``. A checkpoint of any
        other run is refused with an error naming what differs (pass an int
        ``random_state`` for runs you mean to resume).
    overwrite : bool, default=False
        Start afresh even if ``checkpoint`` holds a run (of this or another
        identity), replacing it after the first round.
    verbose : int or str, default=0
        0 prints nothing; 1 or more shows a progress bar with the current
        score; a str shows the bar labelled with it (the benchmark names the
        method and seed).
    trusted : bool, default=False
        A checkpoint holds the fitted querier as a pickle, and unpickling a
        file can run arbitrary code. So each checkpoint is signed with a key
        of this user's (``~/.skautoal/checkpoint.key``, or
        ``$SKAUTOAL_KEY_FILE``; created on first use), and a file whose
        signature does not match (written elsewhere, by someone else, or
        altered) is refused before anything in it is loaded. Pass
        ``trusted=True`` only to resume from such a file you know the
        origin of (copied from another machine of yours).
    progress : bool or str
        Deprecated since 0.2, removed in 0.3: use ``verbose``.

    Returns
    -------
    curve : LearningCurve
        Scores, label counts, picks and timings of every round.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import StrategyQuerier
    >>> from skautoal.loop import simulate
    >>> from skautoal.strategies import MarginSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = StrategyQuerier(LogisticRegression(), MarginSampling(), n_queries=5)
    >>> curve = simulate(querier, X[::2], y[::2], X_test=X[1::2], y_test=y[1::2],
    ...                  initial_size=10, n_rounds=3, random_state=0)
    >>> curve.n_labeled
    [10, 15, 20, 25]
    """
    verbose = resolve_verbose(verbose, progress, "simulate")
    n_pool = n_rows(y_pool)
    initial_size = check_positive_int(initial_size, "initial_size", "simulate")
    if n_rounds < 0:
        raise ValueError(f"n_rounds must be >= 0; got {n_rounds}.")
    if initial_size > n_pool:
        raise ValueError(
            f"initial_size={initial_size} is larger than the pool ({n_pool} samples)."
        )
    y_pool = np.asarray(y_pool)
    signature = None
    state = None
    if checkpoint is not None:
        signature = run_fingerprint(
            querier,
            random_state=random_state,
            data={
                "X_pool": X_pool,
                "y_pool": y_pool,
                "X_test": X_test,
                "y_test": y_test,
            },
            settings={"initial_size": initial_size, "n_rounds": n_rounds},
        )
        if not overwrite:
            state = _load_checkpoint(checkpoint, signature, trusted=trusted)
    if state is None:
        state = _new_state(querier, n_pool, initial_size, random_state, signature)
    _warn_if_pool_runs_out(querier, n_pool, initial_size, n_rounds)
    bar = _progress(n_rounds + 1, verbose, initial=state["round"])
    try:
        while state["round"] <= n_rounds:
            _play_round(state, X_pool, y_pool, X_test, y_test, n_rounds)
            if checkpoint is not None:
                _atomic_dump(state, checkpoint)
            if bar is not None:
                curve = state["curve"]
                bar.set_postfix(
                    score=f"{curve.scores[-1]:.3f}", labels=curve.n_labeled[-1]
                )
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return state["curve"]


def _warn_if_pool_runs_out(querier, n_pool, initial_size, n_rounds):
    """Warn when the rounds ask for more labels than the pool holds: the
    rounds after it runs out refit on the whole pool and repeat its score,
    so the curve keeps its ``n_rounds + 1`` points."""
    n_queries = getattr(querier, "n_queries", None)
    if not isinstance(n_queries, Integral) or n_rounds < 1:
        return
    wanted = initial_size + n_rounds * int(n_queries)
    if wanted <= n_pool:
        return
    spent = -(-(n_pool - initial_size) // int(n_queries))  # rounds that query
    warnings.warn(
        f"initial_size + n_rounds * n_queries = {initial_size} + {n_rounds} * "
        f"{n_queries} = {wanted} labels, but the pool holds {n_pool}: it is "
        f"spent after {spent} round(s) of querying, and the {n_rounds - spent} "
        "round(s) after that refit on the whole pool and repeat its score. "
        "Lower n_rounds or n_queries to keep every round informative.",
        UserWarning,
        stacklevel=find_stack_level(),
    )


def _new_state(querier, n_pool, initial_size, random_state, signature):
    """A run's state before its first round: the initial labels, an empty
    curve and a clone of the querier (which carries warm-start state across
    the rounds). A checkpoint is this dict."""
    rng = check_random_state(random_state)
    return {
        "signature": signature,
        "labeled": list(rng.choice(n_pool, initial_size, replace=False)),
        "curve": LearningCurve(),
        "querier": clone(querier),
        "round": 0,
    }


def _play_round(state, X_pool, y_pool, X_test, y_test, n_rounds, *, fit=True):
    """One round on ``state``: fit (unless ``fit=False``: the querier is
    already fitted on the labelled rows), score, and (unless it is the last)
    query and reveal the picks' labels."""
    curve, model = state["curve"], state["querier"]
    labeled = np.asarray(state["labeled"], dtype=np.int64)
    if fit:
        # The loop appends each query's picks at the end, in query order:
        # the rows added since the last fit are the last query's, none once
        # the pool is spent (the bandits are not rewarded for them again).
        last = len(labeled) - curve.n_labeled[-1] if curve.n_labeled else 0
        with Stopwatch() as watch:
            _fit(
                model,
                take_rows(X_pool, labeled),
                y_pool[labeled],
                np.arange(len(labeled) - last, len(labeled)),
            )
        curve.fit_seconds.append(watch.seconds)
    curve.n_labeled.append(len(labeled))
    curve.scores.append(float(model.score(X_test, y_test)))
    weights = getattr(model, "strategy_weights_", None)
    curve.strategy_weights.append(dict(weights) if weights else {})
    unlabeled = np.setdiff1d(np.arange(n_rows(y_pool)), labeled)
    if state["round"] < n_rounds and len(unlabeled):
        with Stopwatch() as watch:
            picked = unlabeled[model.query(pool_rows(X_pool, unlabeled))]
        curve.query_seconds.append(watch.seconds)
        curve.queried.append(picked)
        state["labeled"] = list(labeled) + picked.tolist()
    state["round"] += 1


def _fit(model, X, y, queried_rows):
    """``model.fit(X, y)``, passing ``queried=queried_rows`` (the rows of the
    last query's picks) to queriers whose ``fit`` takes it (the bandits)."""
    import inspect

    if queried_rows is not None and len(queried_rows):
        if "queried" in inspect.signature(model.fit).parameters:
            return model.fit(X, y, queried=np.asarray(queried_rows, dtype=np.int64))
    return model.fit(X, y)


def _progress(total, enabled, initial=0):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    desc = enabled if isinstance(enabled, str) else "active learning"
    return tqdm(total=total, initial=initial, desc=desc, leave=False)


def _load_checkpoint(path, signature, *, trusted=False):
    import hmac

    if path is None or not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        data = f.read()
    head = len(_CHECKPOINT_MAGIC)
    if data.startswith(_CHECKPOINT_MAGIC):
        tag, payload = data[head : head + 32], data[head + 32 :]
        signed = hmac.compare_digest(tag, _sign(payload))
    else:
        payload, signed = data, False
    if not (signed or trusted):
        raise ValueError(
            f"The checkpoint {os.fspath(path)!r} is not signed by this user's key "
            f"({checkpoint_key_path()}): it is truncated, altered, from an older "
            "version, or was written by someone else. It holds a pickle, which can "
            "run arbitrary code when loaded, so it was not read. Remove it or pass "
            "overwrite=True; pass trusted=True only if you know where it comes from."
        )
    try:
        state = pickle.loads(payload)
    except Exception as exc:
        raise ValueError(
            f"The checkpoint {os.fspath(path)!r} cannot be read ({type(exc).__name__}: "
            f"{exc}); it is truncated or not a skautoal checkpoint. Remove it, or "
            "pass overwrite=True."
        ) from exc
    stored = state.get("signature") if isinstance(state, dict) else None
    if not isinstance(stored, dict):
        raise ValueError(
            f"The checkpoint {os.fspath(path)!r} was not written by this version of "
            "skautoal, so it cannot be matched to this run; remove it or pass "
            "overwrite=True."
        )
    differences = fingerprint_differences(stored, signature)
    if differences:
        shown = ", ".join(differences[:6])
        more = f" and {len(differences) - 6} more" if len(differences) > 6 else ""
        raise ValueError(
            f"The checkpoint {os.fspath(path)!r} belongs to another run: its "
            f"{shown}{more} differ from this call's. Pass another path, or "
            "overwrite=True to replace it."
        )
    return state


class ActiveLearner:
    """Active learning with real annotators: query, teach, save, load.

    Parameters
    ----------
    querier : querier
        An :class:`~skautoal.AutoALQuerier` or meta-baseline; it is cloned.
    X_pool : array-like of shape (n_pool, ...)
        The samples to choose from; indices refer to its rows.
    X_labeled, y_labeled : array-like, default=None
        Labelled samples outside the pool to start from.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import StrategyQuerier
    >>> from skautoal.loop import ActiveLearner
    >>> from skautoal.strategies import MarginSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = StrategyQuerier(LogisticRegression(), MarginSampling(), n_queries=4)
    >>> learner = ActiveLearner(querier, X[20:], X_labeled=X[::10], y_labeled=y[::10])
    >>> picked = learner.query()
    >>> learner.teach(picked, y[20:][picked])
    >>> learner.n_labeled
    19
    """

    def __init__(self, querier, X_pool, *, X_labeled=None, y_labeled=None):
        if (X_labeled is None) != (y_labeled is None):
            raise ValueError("Pass both X_labeled and y_labeled, or neither.")
        self.querier = clone(querier)
        self.X_pool = X_pool
        self.n_pool = n_rows(X_pool)
        self.X_labeled = X_labeled
        self.y_labeled = None if y_labeled is None else list(np.asarray(y_labeled))
        if X_labeled is not None and len(X_labeled) != len(self.y_labeled):
            raise ValueError(
                f"X_labeled has {len(X_labeled)} samples but y_labeled has "
                f"{len(self.y_labeled)} labels."
            )
        self.taught = {}
        self._fitted_on = None
        self._last_query = None

    @property
    def n_labeled(self):
        """All labels known: the initial ones and those taught."""
        initial = 0 if self.y_labeled is None else len(self.y_labeled)
        return initial + len(self.taught)

    def _training_set(self):
        indices = np.fromiter(self.taught, dtype=np.int64, count=len(self.taught))
        labels = [self.taught[i] for i in indices]
        X_parts, y_parts = [], []
        if self.X_labeled is not None:
            X_parts.append(self.X_labeled)
            y_parts.extend(self.y_labeled)
        if len(indices):
            X_parts.append(take_rows(self.X_pool, indices))
            y_parts.extend(labels)
        return concat_rows(X_parts), np.asarray(y_parts)

    def query(self, n_queries=None):
        """Fit the querier on every label so far and choose pool samples.

        Parameters
        ----------
        n_queries : int or None, default=None
            How many to choose; ``None`` uses the querier's ``n_queries``.

        Returns
        -------
        indices : ndarray of int64
            Row positions in ``X_pool`` of samples not labelled yet
            (``.iloc`` for a data frame).
        """
        if self.n_labeled == 0:
            raise ValueError(
                "ActiveLearner has no labels yet: pass X_labeled and y_labeled, or "
                "teach some samples first."
            )
        if self._fitted_on != self.n_labeled:
            _fit(self.querier, *self._training_set(), self._queried_rows())
            self._fitted_on = self.n_labeled
        unlabeled = np.setdiff1d(np.arange(self.n_pool), list(self.taught))
        if not len(unlabeled):
            raise ValueError("Every pool sample is labelled; nothing left to query.")
        picked = self.querier.query(pool_rows(self.X_pool, unlabeled), n_queries)
        self._last_query = unlabeled[picked]
        return self._last_query

    def _queried_rows(self):
        """Rows of the training set holding the last query's picks that have
        been taught since, in query order."""
        last = getattr(self, "_last_query", None)
        if last is None:
            return None
        position = {index: row for row, index in enumerate(self.taught)}
        initial = 0 if self.y_labeled is None else len(self.y_labeled)
        return [initial + position[int(i)] for i in last if int(i) in position]

    def teach(self, indices, labels):
        """Record the labels of pool samples.

        Parameters
        ----------
        indices : array-like of int
            Indices into ``X_pool``.
        labels : array-like
            One label per index.
        """
        indices = np.asarray(indices)
        labels = (
            list(np.asarray(labels, dtype=object).ravel())
            if np.ndim(labels)
            else [labels]
        )
        if indices.ndim != 1 or indices.dtype.kind not in "iu":
            raise TypeError(
                "The 'indices' parameter of teach must be a 1-D array of ints; got "
                f"{indices!r}."
            )
        if len(labels) != len(indices):
            raise ValueError(
                f"teach got {len(indices)} indices but {len(labels)} labels."
            )
        unknown = indices[(indices < 0) | (indices >= self.n_pool)]
        if len(unknown):
            raise ValueError(
                f"Unknown pool indices {unknown.tolist()}: expected ints in "
                f"[0, {self.n_pool})."
            )
        if len(np.unique(indices)) != len(indices):
            raise ValueError(f"The indices {indices.tolist()} repeat a sample.")
        known = [int(i) for i in indices if int(i) in self.taught]
        if known:
            raise ValueError(f"The pool samples {known} are already labelled.")
        check_label_kinds(
            labels, "labels", known=[*(self.y_labeled or []), *self.taught.values()]
        )
        for index, label in zip(indices, labels, strict=True):
            self.taught[int(index)] = label

    def save(self, path, *, format="safe"):
        """Write the learner's labels to ``path`` atomically.

        Parameters
        ----------
        path : str or path
            The file. A symlink keeps pointing where it did.
        format : {"safe", "pickle"}, default="safe"
            ``"safe"`` writes an ``.npz`` of arrays and JSON with no pickled
            object: the labels taught, the initial labelled set, the last
            query, and the identity of the querier (its parameters) and of
            the pool (a content hash). Loading it runs no code from the
            file; :meth:`load` takes the querier and the pool from the
            caller and checks them against that identity. The querier is
            refitted on the labels at the next :meth:`query`.
            ``"pickle"`` writes the whole learner, fitted querier and pool
            included; only :meth:`load` with ``trusted=True`` reads it.
        """
        if format == "pickle":
            _atomic_write(path, lambda f: pickle.dump(self, f))
            return
        if format != "safe":
            raise ValueError(
                f"The 'format' parameter of save must be 'safe' or 'pickle'; got "
                f"{format!r}."
            )
        meta = {
            "format": "skautoal.ActiveLearner",
            "version": 1,
            "identity": self._identity(),
            "y_labeled": None if self.y_labeled is None else self.y_labeled,
            "taught": [[int(i), label] for i, label in self.taught.items()],
            "last_query": None
            if self._last_query is None
            else [int(i) for i in self._last_query],
        }
        try:
            text = json.dumps(meta, default=_json_label)
        except TypeError as exc:
            raise TypeError(
                f"The labels cannot be saved safely ({exc}): only strings and "
                "numbers can. Use format='pickle' for other label types."
            ) from exc
        arrays = {"meta": np.frombuffer(text.encode(), dtype=np.uint8)}
        if self.X_labeled is not None:
            X_labeled = self.X_labeled
            if hasattr(X_labeled, "iloc") or hasattr(X_labeled, "tocsr"):
                raise TypeError(
                    "format='safe' saves X_labeled as one numeric array; got a "
                    f"{type(X_labeled).__name__}. Use format='pickle' (read back "
                    "with trusted=True), or keep the labelled samples in X_pool "
                    "and teach their labels."
                )
            arrays["X_labeled"] = np.asarray(X_labeled)
            if arrays["X_labeled"].dtype.kind not in "biufcUS":
                raise TypeError(
                    "format='safe' saves X_labeled as an array of numbers or "
                    f"strings; got dtype {arrays['X_labeled'].dtype}. Use "
                    "format='pickle' (read back with trusted=True)."
                )
        _atomic_write(path, lambda f: np.savez(f, **arrays))

    def _identity(self):
        return run_fingerprint(
            self.querier,
            random_state=None,
            data={"X_pool": self.X_pool},
            settings={},
        )

    @classmethod
    def load(cls, path, querier=None, X_pool=None, *, trusted=False):
        """Read a learner written by :meth:`save`.

        Parameters
        ----------
        path : str or path
            A file written by :meth:`save`.
        querier : querier
            The querier the learner was made with (the same parameters); its
            fitted state is not read from the file.
        X_pool : array-like
            The same pool (checked by content hash).
        trusted : bool, default=False
            Read a file written with ``format="pickle"``.

        Warnings
        --------
        A pickle can run arbitrary code when it is loaded, so a pickle file
        is read only with ``trusted=True``: pass it only for files you wrote
        yourself or otherwise trust. The default ``"safe"`` format holds
        arrays and JSON only and is read without running anything from it.
        """
        if trusted:
            return cls._load_pickle(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                X_labeled = data["X_labeled"] if "X_labeled" in data.files else None
        except FileNotFoundError:
            raise
        except Exception as exc:
            with open(path, "rb") as f:
                head = f.read(2)
            if head[:1] == b"\x80":
                raise ValueError(
                    f"{os.fspath(path)!r} is a pickle. Loading a pickle can run "
                    "arbitrary code, so it is read only with trusted=True: pass it "
                    "if you wrote this file yourself."
                ) from exc
            raise ValueError(
                f"{os.fspath(path)!r} cannot be read as a saved ActiveLearner "
                f"({type(exc).__name__}: {exc}); it is truncated or another kind of "
                "file."
            ) from exc
        if not isinstance(meta, dict) or meta.get("format") != "skautoal.ActiveLearner":
            raise ValueError(f"{os.fspath(path)!r} is not a saved ActiveLearner.")
        if querier is None or X_pool is None:
            raise TypeError(
                "ActiveLearner.load needs the 'querier' and 'X_pool' the learner was "
                "made with: the safe format stores labels, not code or the pool."
            )
        learner = cls(
            querier,
            X_pool,
            X_labeled=X_labeled,
            y_labeled=meta["y_labeled"],
        )
        differences = fingerprint_differences(meta["identity"], learner._identity())
        if differences:
            raise ValueError(
                f"{os.fspath(path)!r} was saved with another querier or pool: its "
                f"{', '.join(differences[:6])} differ from the ones passed."
            )
        learner.taught = {int(i): label for i, label in meta["taught"]}
        if meta["last_query"] is not None:
            learner._last_query = np.asarray(meta["last_query"], dtype=np.int64)
        return learner

    @classmethod
    def _load_pickle(cls, path):
        try:
            with open(path, "rb") as f:
                learner = pickle.load(f)
        except Exception as exc:  # pickle raises many kinds on a bad file
            raise ValueError(
                f"{os.fspath(path)!r} cannot be read as a saved ActiveLearner "
                f"({type(exc).__name__}: {exc}); it is truncated or another kind of "
                "file."
            ) from exc
        if not isinstance(learner, cls):
            raise TypeError(
                f"{path!r} holds a {type(learner).__name__}, not an ActiveLearner."
            )
        return learner


def _json_label(value):
    """numpy scalars as Python numbers and strings, for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"label {value!r} of type {type(value).__name__}")
