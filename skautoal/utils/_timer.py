"""Wall-clock timing kept out of the algorithms."""

import time
from contextlib import contextmanager


class Stopwatch:
    """Wall seconds of a ``with`` block (``seconds``), or so far (``elapsed``).

    Examples
    --------
    >>> from skautoal.utils._timer import Stopwatch
    >>> with Stopwatch() as watch:
    ...     pass
    >>> watch.seconds >= 0
    True
    """

    def __init__(self):
        self.start = time.perf_counter()
        self.seconds = None

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = self.elapsed()

    def elapsed(self):
        """Seconds since the watch started."""
        return time.perf_counter() - self.start


@contextmanager
def timed(record, key):
    """Add the wall seconds of a ``with`` block to ``record[key]``.

    The time is added even if the block raises, so a record of where a
    failed call spent its time stays complete.

    Examples
    --------
    >>> from skautoal.utils._timer import timed
    >>> record = {}
    >>> with timed(record, "fit"):
    ...     pass
    >>> with timed(record, "fit"):
    ...     pass
    >>> sorted(record), record["fit"] >= 0
    (['fit'], True)
    """
    watch = Stopwatch()
    try:
        yield watch
    finally:
        record[key] = record.get(key, 0.0) + watch.elapsed()
