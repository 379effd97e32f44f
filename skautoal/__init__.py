"""skautoal: automated active learning for scikit-learn."""

from ._version import __version__
from .base import BaseQueryStrategy, BaseScoreStrategy
from .models import CNNModule, MLPModule, PoolOutputs, TaskModel

__all__ = [
    "BaseQueryStrategy",
    "BaseScoreStrategy",
    "CNNModule",
    "MLPModule",
    "PoolOutputs",
    "TaskModel",
    "__version__",
]
