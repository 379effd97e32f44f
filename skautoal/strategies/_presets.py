"""The named candidate sets of AutoAL and the meta-baselines."""

from ._badge import BADGE
from ._bayesian import BALD, MeanSTD, VarRatio
from ._diversity import CoreSet, KMeansSampling
from ._uncertainty import EntropySampling, LeastConfidence, MarginSampling

PRESETS = ("auto", "full", "paper")


def preset_strategies(name):
    """The candidate strategies of a named preset, as new instances.

    ``"auto"``: MarginSampling, EntropySampling, BALD, VarRatio, CoreSet and
    BADGE: two cheap uncertainty scores, two MC-dropout ones that share one
    set of passes, and two diversity ones (on data where uncertainty
    sampling falls below random, the diversity candidates carry the
    search). ``"full"``: the eight of skautoal 0.1's ``"auto"``
    (LeastConfidence, MarginSampling, EntropySampling, KMeansSampling,
    BALD, MeanSTD, CoreSet, BADGE). ``"paper"``: the paper's seven.

    Parameters
    ----------
    name : {"auto", "full", "paper"}
        The preset; :class:`~skautoal.AutoALQuerier` and the meta-baselines
        take the same names as ``strategies``.

    Returns
    -------
    strategies : list of BaseQueryStrategy
        Unfitted strategies with default parameters.

    Examples
    --------
    >>> from skautoal.strategies import preset_strategies
    >>> [type(s).__name__ for s in preset_strategies("auto")]
    ['MarginSampling', 'EntropySampling', 'BALD', 'VarRatio', 'CoreSet', 'BADGE']
    """
    if name not in PRESETS:
        raise ValueError(
            f"The 'name' parameter of preset_strategies must be one of "
            f"{sorted(PRESETS)}. Got {name!r} instead."
        )
    if name == "auto":
        return [
            MarginSampling(),
            EntropySampling(),
            BALD(),
            VarRatio(),
            CoreSet(),
            BADGE(),
        ]
    if name == "full":
        return [
            LeastConfidence(),
            MarginSampling(),
            EntropySampling(),
            KMeansSampling(),
            BALD(),
            MeanSTD(),
            CoreSet(),
            BADGE(),
        ]
    return [
        EntropySampling(),
        MarginSampling(),
        LeastConfidence(),
        KMeansSampling(),
        BALD(),
        VarRatio(),
        MeanSTD(),
    ]
