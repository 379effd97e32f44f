"""Utilities shared across skautoal."""

from ._selection import top_k
from ._torch import resolve_device
from ._validation import check_n_queries

__all__ = ["check_n_queries", "resolve_device", "top_k"]
