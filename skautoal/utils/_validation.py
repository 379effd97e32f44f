"""Input validation shared by strategies and queriers."""

import numbers
import warnings

import numpy as np


def check_n_queries(n_queries, n_pool, *, caller="select"):
    """Validate ``n_queries`` and clip it to the pool size.

    Parameters
    ----------
    n_queries : int
        The requested number of samples to query.
    n_pool : int
        The number of samples in the pool.
    caller : str, default="select"
        The name used in messages.

    Returns
    -------
    n_queries : int
        ``n_queries``, clipped to ``n_pool`` with a warning when larger.
    """
    if isinstance(n_queries, bool) or not isinstance(n_queries, numbers.Integral):
        raise TypeError(
            f"The 'n_queries' parameter of {caller} must be an int in [1, inf). "
            f"Got {n_queries!r} of type {type(n_queries).__name__} instead."
        )
    if n_queries < 1:
        raise ValueError(
            f"The 'n_queries' parameter of {caller} must be an int in [1, inf). "
            f"Got {n_queries} instead."
        )
    if n_queries > n_pool:
        warnings.warn(
            f"n_queries={n_queries} is larger than the pool ({n_pool} samples); "
            f"all {n_pool} pool indices are returned.",
            UserWarning,
            stacklevel=find_stack_level(),
        )
        return int(n_pool)
    return int(n_queries)


def check_positive_int(value, name, owner):
    """Raise a clear error unless ``value`` is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"The '{name}' parameter of {owner} must be an int in [1, inf). "
            f"Got {value!r} of type {type(value).__name__} instead."
        )
    if value < 1:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be an int in [1, inf). "
            f"Got {value} instead."
        )
    return int(value)


def check_finite_samples(X, name, *, allow_nan=False):
    """Check that ``X`` (an array, or anything ``np.asarray`` takes) is
    non-empty and finite, and return its number of samples.

    With ``allow_nan`` (a pipeline that imputes, see
    :func:`pipeline_imputes`), NaN passes; infinity does not.

    An array-like with ``shape`` and ``dtype`` (a numpy array or memmap, a
    zarr or dask array) is read in chunks of rows, so the check never holds
    more than one chunk in memory.
    """
    shape = getattr(X, "shape", None)
    if shape is None or not hasattr(X, "dtype"):
        X = np.asarray(X)
        shape = X.shape
    if len(shape) == 0:
        raise ValueError(
            f"{name} must be an array of samples; got a scalar {X!r} instead."
        )
    if shape[0] == 0:
        raise ValueError(
            f"{name} is empty: expected at least 1 sample, got shape {tuple(shape)}."
        )
    values = X.data if hasattr(X, "tocsr") else X
    dtype = np.dtype(values.dtype)
    if dtype.kind not in "biufc":
        raise ValueError(
            f"{name} must hold numbers; got an array of dtype {dtype} instead."
        )
    if dtype.kind in "fc":
        limit = np.finfo(np.float32).max
        row_bytes = dtype.itemsize * int(np.prod(values.shape[1:], dtype=np.int64))
        step = max(1, (1 << 21) // max(row_bytes, 1))  # about 2 MB a chunk
        for start in range(0, max(values.shape[0], 1), step):
            chunk = np.abs(np.asarray(values[start : start + step]))
            if allow_nan:
                if np.isinf(chunk).any():
                    raise ValueError(
                        f"{name} contains infinity: expected finite values or NaN "
                        "(which the pipeline imputes)."
                    )
                chunk = chunk[~np.isnan(chunk)]
            elif not np.isfinite(chunk).all():
                raise ValueError(
                    f"{name} contains NaN or infinity: expected finite values only."
                )
            if dtype.itemsize > 4 and chunk.size and chunk.max() > limit:
                raise ValueError(
                    f"{name} holds values beyond float32's range (up to "
                    f"{chunk.max():.3g}; float32 holds at most {limit:.3g}), and the "
                    "task models and strategies compute in float32. Scale the "
                    "features first (e.g. StandardScaler)."
                )
    return int(shape[0])


def takes_nan(estimator):
    """Whether ``estimator`` says it takes NaN (its ``allow_nan`` tag)."""
    from sklearn.utils import get_tags

    try:
        return bool(get_tags(estimator).input_tags.allow_nan)
    except Exception:  # an estimator without scikit-learn's tags
        return False


def pipeline_imputes(estimator):
    """Whether ``estimator`` is a ``Pipeline`` whose first step takes NaN (a
    ``SimpleImputer``, say, by its ``allow_nan`` tag): then a NaN in ``X``
    is the pipeline's to fill, and the candidates see its output."""
    steps = getattr(estimator, "steps", None)
    if not steps or len(steps) < 2:
        return False
    for _, step in steps[:-1]:
        if step is None or step == "passthrough":
            continue
        return takes_nan(step)
    return False


def holds_numbers(X):
    """Whether ``X`` is numbers in one array (numpy, sparse, zarr, dask, or
    a list of numbers): not a data frame, nor texts, dicts, rows mixing
    strings and numbers, or samples of different lengths."""
    if hasattr(X, "iloc"):
        return False
    if is_tensor(X):
        return True  # every torch dtype holds numbers
    values = X.data if hasattr(X, "tocsr") else X
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(values).dtype
        except ValueError:  # ragged: samples of different lengths
            return False
    return np.dtype(dtype).kind in "biufc"


def passes_raw_input(estimator, X):
    """Whether ``X`` goes to ``estimator`` as it is, not as a numeric array.

    A ``Pipeline`` with steps before its classifier (a ``ColumnTransformer``,
    a ``TfidfVectorizer``, a ``DictVectorizer``) takes what its first step
    takes: a data frame (whose columns it may select by name), strings,
    dicts, a sparse matrix. Such an ``X`` is handed to the pipeline
    untouched, as ``GridSearchCV`` hands it on. A scikit-learn classifier
    (not a skorch net) gets a sparse matrix as it is too. Everything else,
    and any numeric array or array read by rows, takes the numeric path:
    validated, checked for finite values, cast to float32 for a torch
    module.
    """
    if is_lazy_array(X):
        return False
    steps = getattr(estimator, "steps", None)
    has_prefix = bool(steps) and len(steps) > 1
    if hasattr(X, "tocsr"):  # a sparse matrix
        from ..models._adapter import _is_skorch_net

        final = steps[-1][1] if steps else estimator
        return has_prefix or not _is_skorch_net(final)
    return has_prefix and not holds_numbers(X)


def is_lazy_array(X):
    """Whether ``X`` is an array-like read by slicing rows (a zarr or dask
    array, an h5py dataset, a row subset of a pool), not an in-memory
    numpy array, torch tensor, sparse matrix or data frame."""
    return (
        hasattr(X, "shape")
        and hasattr(X, "dtype")
        and hasattr(X, "__getitem__")
        and not isinstance(X, np.ndarray)
        and not is_tensor(X)
        and not hasattr(X, "tocsr")
        and not hasattr(X, "iloc")
    )


def is_tensor(X):
    """Whether ``X`` is a torch tensor."""
    import torch

    return isinstance(X, torch.Tensor)


def host_array(X):
    """A torch tensor as a numpy array (a tensor on a GPU is copied to the
    host; the task model's forward passes move chunks back); anything else
    as it is. skorch nets take tensors, so users pass them."""
    return X.detach().cpu().numpy() if is_tensor(X) else X


def label_kind(label):
    """``"string"``, ``"number"`` or the type's name: the kind of one label."""
    if isinstance(label, str | np.str_ | bytes):
        return "string"
    if isinstance(label, bool | np.bool_ | int | float | np.number):
        return "number"
    return type(label).__name__


def check_label_kinds(labels, name, known=()):
    """Refuse labels that mix strings and numbers, empty or NaN labels.

    ``known`` are labels recorded earlier (an annotator's previous answers):
    the new ones must be of the same kind, since ``1.0`` and ``"1"`` would
    otherwise become two classes.
    """
    labels = list(labels)
    for position, label in enumerate(labels):
        if label_kind(label) == "string" and not str(label).strip():
            raise ValueError(
                f"The label at position {position} of {name} is empty; every "
                "sample needs a class."
            )
        if label_kind(label) == "number" and label != label:
            raise ValueError(
                f"The label at position {position} of {name} is NaN; every "
                "sample needs a class."
            )
    kinds = {label_kind(v) for v in labels}
    before = {label_kind(v) for v in known}
    if len(kinds | before) > 1:
        example = {label_kind(v): v for v in [*known, *labels]}
        shown = ", ".join(f"{k} {v!r}" for k, v in sorted(example.items()))
        where = f"{name} and the labels recorded before" if before else name
        raise ValueError(
            f"{where} mix label types ({shown}); 1.0 and '1' would become two "
            "classes. Convert all labels to one type."
        )


class ParameterError(ValueError):
    """A bad value of a function's parameter.

    The message names the parameter as a Python caller sees it ("The
    'seeds' parameter of run_suite must be ..."); the command line prints
    :meth:`cli_message`, which names the flag (``--seeds``) instead.
    """

    def __init__(self, param, caller, problem):
        self.param = param
        self.problem = problem
        super().__init__(f"The '{param}' parameter of {caller} {problem}")

    def cli_message(self):
        """The message for the command line: ``argument --flag: problem``."""
        return f"argument --{self.param.replace('_', '-')}: {self.problem}"


def check_output_dir(path, param="out", caller="run_suite"):
    """Create ``path`` if needed and check that files can be written in it,
    before any work starts (not after hours of runs)."""
    import os
    import tempfile

    if os.path.exists(path) and not os.path.isdir(path):
        raise ParameterError(
            param, caller, f"names {os.fspath(path)!r}, which is not a folder."
        )
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ParameterError(
            param,
            caller,
            f"names {os.fspath(path)!r}, which is not a writable folder "
            f"({exc.strerror}).",
        ) from exc


def check_param_int(value, param, minimum, caller):
    """``value`` as an int >= ``minimum``, or a :class:`ParameterError`."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < minimum
    ):
        raise ParameterError(
            param, caller, f"must be an int >= {minimum}; got {value!r}."
        )
    return int(value)


def check_test_size(value, caller):
    """``test_size`` as a fraction in (0, 1) or a number of samples >= 1, or
    a :class:`ParameterError`."""
    fraction = isinstance(value, numbers.Real) and not isinstance(
        value, numbers.Integral
    )
    if isinstance(value, bool) or not (
        (fraction and 0 < value < 1)
        or (isinstance(value, numbers.Integral) and value >= 1)
    ):
        raise ParameterError(
            "test_size",
            caller,
            f"must be a fraction in (0, 1) or a number of samples >= 1; got {value!r}.",
        )
    return float(value) if fraction else int(value)


def check_picks(picked, n_pool, n_queries, strategy):
    """The picks of ``strategy`` as int64, or a ValueError naming it.

    A strategy must return ``n_queries`` unique integer indices in
    ``[0, n_pool)``; a user's strategy that does not would otherwise give
    a short batch, a repeated sample or an IndexError far from its cause.
    """
    name = type(strategy).__name__
    picked = np.asarray(picked)
    if picked.ndim != 1 or (picked.size and picked.dtype.kind not in "iu"):
        raise ValueError(
            f"The strategy {name} must return a 1-D array of integer indices; got "
            f"shape {picked.shape} and dtype {picked.dtype}."
        )
    picked = picked.astype(np.int64, copy=False)
    if len(picked) != n_queries:
        raise ValueError(
            f"The strategy {name} returned {len(picked)} indices for "
            f"n_queries={n_queries}."
        )
    outside = picked[(picked < 0) | (picked >= n_pool)]
    if outside.size:
        raise ValueError(
            f"The strategy {name} returned indices outside the pool of {n_pool} "
            f"samples: {outside[:5].tolist()}."
        )
    values, counts = np.unique(picked, return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            f"The strategy {name} returned repeated indices: "
            f"{values[counts > 1][:5].tolist()}."
        )
    return picked


def find_stack_level():
    """The ``stacklevel`` that points a warning at the first frame outside
    skautoal (and outside scikit-learn's wrappers around our methods), so
    the user sees their own line, as pandas' ``find_stack_level`` does."""
    import inspect
    import os

    import sklearn

    import skautoal

    package = os.path.dirname(skautoal.__file__)
    sklearn_dir = os.path.dirname(sklearn.__file__)
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None:
            filename = inspect.getfile(frame)
            if not (filename.startswith(package) or filename.startswith(sklearn_dir)):
                break
            frame = frame.f_back
            level += 1
    finally:
        del frame
    return level


_DEPRECATED = "deprecated"


def resolve_verbose(verbose, progress, owner):
    """``verbose``, or the deprecated ``progress`` mapped onto it.

    ``progress`` (a bool, or a str labelling the bar) was the name of the
    switch until 0.2; passing it warns with a ``FutureWarning``.
    """
    if progress is _DEPRECATED:
        return verbose
    warnings.warn(
        f"The 'progress' parameter of {owner} is deprecated and will be removed "
        "in skautoal 0.3; use verbose=1 to show progress bars (verbose=0, the "
        "default, shows none).",
        FutureWarning,
        stacklevel=find_stack_level(),
    )
    if isinstance(progress, str):
        return progress
    return int(bool(progress))
