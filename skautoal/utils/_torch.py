"""Torch helpers: devices and seeding."""

import contextlib
import math

import numpy as np
import torch


def resolve_device(device, name="device", caller=None):
    """Turn ``"auto"`` into ``"cuda"`` when CUDA is available, else ``"cpu"``.

    Raises
    ------
    ValueError
        Naming the parameter, for a device torch does not know or CUDA
        asked for on a machine without it; with ``caller``, a
        :class:`~skautoal.utils._validation.ParameterError` that the command
        line reports under the flag.
    """
    from ._validation import ParameterError

    def error(problem):
        if caller is not None:
            return ParameterError(name, caller, problem)
        return ValueError(f"The '{name}' parameter {problem}")

    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise error(
            f"must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}."
        ) from exc
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise error(
                f"asks for {device!r}, but CUDA is not available on this machine "
                "(use 'cpu' or 'auto')."
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise error(
                f"asks for {device!r}, but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    return resolved


@contextlib.contextmanager
def seeded(seed, device):
    """Run a block under a fixed torch seed without touching the global RNG."""
    device = torch.device(device)
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield


def as_tensor(X, device):
    """A float32 tensor of ``X`` on ``device``."""
    return torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)


def all_finite(tensor):
    """Whether every entry of ``tensor`` is finite (True when it is empty).

    Reads the extremes: NaN propagates through them and an infinity is one,
    so one reduction and one transfer answer it, cheaper than
    ``isfinite(tensor).all()`` in a loop of small steps.
    """
    if tensor.numel() == 0:
        return True
    return all(math.isfinite(float(v)) for v in torch.aminmax(tensor))
