import time

import pytest

from skautoal.utils._timer import Stopwatch, timed


def test_timed_accumulates_and_counts_a_failed_block():
    record = {"fit": 1.0}
    with timed(record, "fit"):
        time.sleep(0.01)
    assert record["fit"] >= 1.01
    with pytest.raises(RuntimeError), timed(record, "query"):
        raise RuntimeError
    assert record["query"] >= 0


def test_stopwatch_measures_its_block():
    with Stopwatch() as watch:
        time.sleep(0.01)
    assert 0.01 <= watch.seconds < watch.elapsed() + 1e-9
