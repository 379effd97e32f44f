"""Offline data loaders: nothing here downloads."""

import csv
import gzip
import os
import zipfile

import numpy as np

from .utils._validation import ParameterError

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def load_digits_data(*, images=False):
    """Scikit-learn's bundled digits, scaled to [0, 1], float32.

    Parameters
    ----------
    images : bool, default=False
        Return samples as 1 x 8 x 8 images instead of 64 features.

    Returns
    -------
    X : ndarray of shape (1797, 64) or (1797, 1, 8, 8)
        Pixel intensities in [0, 1].
    y : ndarray of shape (1797,)
        The digit, 0 to 9.

    Examples
    --------
    >>> from skautoal.datasets import load_digits_data
    >>> X, y = load_digits_data(images=True)
    >>> X.shape, X.dtype.name
    ((1797, 1, 8, 8), 'float32')
    """
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    return (X.reshape(-1, 1, 8, 8) if images else X), y


def _read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_fashion_mnist(data_dir=None, *, subset="train"):
    """Fashion-MNIST from local files, as 1 x 28 x 28 float32 images.

    Parameters
    ----------
    data_dir : str or None, default=None
        The folder with ``{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz``;
        ``None`` is where Debian's ``dataset-fashion-mnist`` package puts them.
    subset : {"train", "test"}, default="train"
        The 60,000 training or the 10,000 test images.

    Returns
    -------
    X : ndarray of shape (n, 1, 28, 28)
        Pixel intensities in [0, 1], float32.
    y : ndarray of shape (n,)
        The class, 0 to 9.
    """
    data_dir = FASHION_MNIST_DIR if data_dir is None else os.fspath(data_dir)
    prefix = "train" if subset == "train" else "t10k"
    images = os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz")
    labels = os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz")
    if not (os.path.exists(images) and os.path.exists(labels)):
        raise FileNotFoundError(
            f"Fashion-MNIST files not found in {data_dir!r}. Install them with "
            "'apt-get install dataset-fashion-mnist' (as root; files land in "
            f"{FASHION_MNIST_DIR}), or pass data_dir (--data-dir on the command "
            "line): a folder with the four *-ubyte.gz files."
        )
    X = _read_idx(images, 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    return X, _read_idx(labels, 8).astype(np.int64)


def load_npz(path):
    """Arrays ``X`` and ``y`` from an ``.npz`` file."""
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such dataset file: {path!r}.") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"{path!r} is not a readable .npz file ({exc}).") from exc
    with data:
        missing = {"X", "y"} - set(data.files)
        if missing:
            raise ValueError(
                f"{path!r} must hold arrays 'X' and 'y'; it lacks {sorted(missing)} "
                f"(it has {data.files})."
            )
        try:
            X = np.asarray(data["X"], dtype=np.float32)
            y = np.asarray(data["y"])
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
            raise ValueError(f"{path!r} has unreadable arrays ({exc}).") from exc
    if X.ndim < 2 or y.ndim != 1 or len(X) != len(y) or not len(y):
        raise ValueError(
            f"{path!r} must hold X of shape (n_samples, ...) and y of shape "
            f"(n_samples,) with n_samples >= 1; got X {X.shape} and y {y.shape}."
        )
    return X, y


def load_csv(path, target):
    """The feature columns and the ``target`` column of a CSV file.

    A column of numbers is one feature. A column in which no value is a
    number (a category such as ``north``) is one-hot encoded: one 0/1
    feature per distinct value, in sorted order. A column of numbers with a
    value that is not one (a typo, an empty field) is an error.

    Parameters
    ----------
    path : str
        The CSV file: a header row, then one sample per row.
    target : str
        The label column's name.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float32
        The numeric columns, and the indicators of each category column,
        in the header's order.
    y : ndarray of shape (n_samples,)
        The labels, as strings.

    Raises
    ------
    ValueError
        Naming the file, and the row where one is at fault: an empty file,
        a header without rows, a row with the wrong number of fields, an
        empty label or a non-numeric value in a column of numbers.

    Examples
    --------
    >>> import tempfile, os
    >>> from skautoal.datasets import load_csv
    >>> path = os.path.join(tempfile.mkdtemp(), "houses.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("area,town,sold\\n70,south,yes\\n120,north,no\\n95,south,no\\n")
    >>> X, y = load_csv(path, "sold")
    >>> X  # area, then town: north, south
    array([[ 70.,   0.,   1.],
           [120.,   1.,   0.],
           [ 95.,   0.,   1.]], dtype=float32)
    >>> y
    array(['yes', 'no', 'no'], dtype='<U3')
    """
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise FileNotFoundError(f"No such dataset file: {path!r}.") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path!r} is not a text CSV file ({exc}).") from exc
    if not rows:
        raise ValueError(f"{path!r} is empty: expected a header and data rows.")
    header = rows[0]
    if target not in header:
        hint = ""
        if len(header) == 1:
            other = [d for d in (";", "\t", "|") if d in header[0]]
            if other:
                hint = (
                    f" The header is one column holding {other[0]!r}: the file "
                    "seems separated by it, and a .csv is read as comma-separated; "
                    "save it with commas."
                )
        raise ParameterError(
            "target",
            "load_dataset",
            f"is not a column of {path!r}: {header}; got {target!r}.{hint}",
        )
    body = [(number, r) for number, r in enumerate(rows[1:], start=2) if r]
    if not body:
        raise ValueError(f"{path!r} has a header but no data rows.")
    col = header.index(target)
    y = []
    for number, r in body:
        if len(r) != len(header):
            raise ValueError(
                f"{path!r}, row {number}: {len(r)} fields, but the header has "
                f"{len(header)}."
            )
        if not r[col].strip():
            raise ValueError(
                f"{path!r}, row {number}: the label column {target!r} is empty."
            )
        y.append(r[col].strip())
    columns = [
        _csv_feature(path, header[i], [(number, r[i]) for number, r in body])
        for i in range(len(header))
        if i != col
    ]
    X = np.concatenate(columns, axis=1) if columns else np.empty((len(body), 0))
    return X.astype(np.float32), np.array(y)


def _csv_feature(path, name, values):
    """One CSV column as features: (n, 1) numbers, or (n, k) one-hot
    indicators when no value is a number."""
    numbers, bad = [], None
    for number, text in values:
        try:
            numbers.append(float(text))
        except ValueError as exc:
            if bad is None:
                bad = (number, exc)
    if bad is None:
        return np.array(numbers, dtype=np.float64)[:, None]
    if numbers:  # some numbers, some not: a typo or a gap, not a category
        number, exc = bad
        raise ValueError(
            f"{path!r}, row {number}: a non-numeric value in the column {name!r} "
            f"of numbers ({exc})."
        )
    texts = np.array([text.strip() for _, text in values])
    categories = np.unique(texts)
    return (texts[:, None] == categories[None, :]).astype(np.float64)


def load_dataset(name, *, data_dir=None, target=None, images=False):
    """Load ``digits``, ``fashion-mnist``, an ``.npz`` or a ``.csv`` file.

    Parameters
    ----------
    name : str
        ``"digits"``, ``"fashion-mnist"``, or the path of a ``.npz`` (arrays
        ``X`` and ``y``) or ``.csv`` file (a header row; columns of numbers,
        and columns of categories, which are one-hot encoded: see
        :func:`load_csv`).
    data_dir : str or None, default=None
        The Fashion-MNIST folder (see :func:`load_fashion_mnist`).
    target : str or None, default=None
        The label column of a CSV file; ``None`` is its last column.
    images : bool, default=False
        Digits as 1 x 8 x 8 images.

    Returns
    -------
    X, y : ndarray
        The samples and their labels.
    """
    if name == "digits":
        return load_digits_data(images=images)
    if name == "fashion-mnist":
        return load_fashion_mnist(data_dir)
    if name.endswith(".npz"):
        return load_npz(name)
    if name.endswith(".csv"):
        if target is None:
            raise ParameterError(
                "target",
                "load_dataset",
                "must name the label column of a .csv file; got None.",
            )
        return load_csv(name, target)
    raise ValueError(
        f"Unknown dataset {name!r}: expected 'digits', 'fashion-mnist', a .npz "
        "path or a .csv path."
    )
