"""SearchNet, FitNet and the differentiable strategy search of AutoAL."""

from ._fisher import FisherBatchValue
from ._nets import FitNet, SearchNet, default_trunk, search_forward
from ._relaxation import count_regulariser, ranking_loss, soft_top_k
from ._trainer import alternate, pretrain_fit_net, search_objective

__all__ = [
    "FisherBatchValue",
    "FitNet",
    "SearchNet",
    "alternate",
    "count_regulariser",
    "default_trunk",
    "pretrain_fit_net",
    "ranking_loss",
    "search_forward",
    "search_objective",
    "soft_top_k",
]
