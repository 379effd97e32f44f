"""Interrupts that a library swallows still stop the run.

skorch's ``partial_fit`` catches ``KeyboardInterrupt`` and returns a
half-trained net, so a Ctrl+C during a fit would otherwise let an
active-learning loop go on with a bad model (and checkpoint it).
"""

import signal
import threading
from contextlib import contextmanager


@contextmanager
def propagate_interrupts():
    """Re-raise ``KeyboardInterrupt`` after the block if a SIGINT arrived in it.

    The previous handler still runs (so the interrupt reaches the code it
    always reached); when the block returns normally although a SIGINT was
    delivered, ``KeyboardInterrupt`` is raised here. Outside the main thread,
    where handlers cannot be installed, the block runs unchanged.

    Examples
    --------
    >>> from skautoal.utils._interrupt import propagate_interrupts
    >>> with propagate_interrupts():
    ...     total = sum(range(10))
    >>> total
    45
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN or previous is None:
        yield
        return
    seen = []

    def handler(signum, frame):
        seen.append(signum)
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if seen:
        raise KeyboardInterrupt
