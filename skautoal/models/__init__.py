"""Task-model adapter, default torch modules and the default task model."""

from ._adapter import PoolOutputs, TaskModel
from ._default import FixedStepsClassifier, default_net
from ._modules import CNNModule, MLPModule

__all__ = [
    "CNNModule",
    "FixedStepsClassifier",
    "MLPModule",
    "PoolOutputs",
    "TaskModel",
    "default_net",
]
