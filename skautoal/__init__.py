"""skautoal: automated active learning for scikit-learn."""

from ._config import config_context, get_config, set_config
from ._version import __version__
from .base import BaseQueryStrategy, BaseScoreStrategy
from .models import CNNModule, MLPModule, PoolOutputs, TaskModel
from .querier import AutoALQuerier

__all__ = [
    "AutoALQuerier",
    "BaseQueryStrategy",
    "BaseScoreStrategy",
    "CNNModule",
    "MLPModule",
    "PoolOutputs",
    "TaskModel",
    "__version__",
    "config_context",
    "get_config",
    "set_config",
]
