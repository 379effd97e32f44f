"""Task-model adapter and default torch modules."""

from ._adapter import PoolOutputs, TaskModel
from ._modules import CNNModule, MLPModule

__all__ = ["CNNModule", "MLPModule", "PoolOutputs", "TaskModel"]
