"""Candidate active-learning query strategies."""

from ..base import BaseQueryStrategy, BaseScoreStrategy
from ._badge import BADGE
from ._bayesian import BALD, MeanSTD, VarRatio
from ._diversity import CoreSet, KMeansSampling
from ._presets import PRESETS, preset_strategies
from ._random import RandomSampling
from ._uncertainty import EntropySampling, LeastConfidence, MarginSampling

__all__ = [
    "BADGE",
    "BALD",
    "BaseQueryStrategy",
    "BaseScoreStrategy",
    "CoreSet",
    "EntropySampling",
    "KMeansSampling",
    "LeastConfidence",
    "MarginSampling",
    "MeanSTD",
    "PRESETS",
    "RandomSampling",
    "VarRatio",
    "preset_strategies",
]
