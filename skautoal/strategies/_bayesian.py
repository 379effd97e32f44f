import numpy as np

from ..base import BaseScoreStrategy
from ..utils._validation import check_positive_int

_EXAMPLE = """
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skorch import NeuralNetClassifier
    >>> from skautoal.models import MLPModule
    >>> from skautoal.strategies import {name}
    >>> X, y = load_digits(return_X_y=True)
    >>> X = (X / 16).astype(np.float32)
    >>> net = NeuralNetClassifier(MLPModule, module__n_classes=10,
    ...                           module__n_features=64, max_epochs=2,
    ...                           verbose=0).fit(X[:200], y[:200])
    >>> {name}(n_passes=5).select(net, X[200:], 4, random_state=0).shape
    (4,)
"""


class _MCDropoutStrategy(BaseScoreStrategy):
    def __init__(self, n_passes=10):
        self.n_passes = n_passes

    @property
    def needs_dropout(self):
        return True

    @property
    def uses_embedding(self):
        return False

    _chunk = 65536  # samples per float64 block of the score
    _float64 = True  # whether the score reads the passes in float64

    def _mc_proba(self, outputs):
        n_passes = check_positive_int(self.n_passes, "n_passes", type(self).__name__)
        return outputs.mc_proba(n_passes)

    def _score(self, outputs):
        # Scored a block of samples at a time in float64: the float64 copy of
        # all passes (and entr's temporaries) would be 2 x n_passes x N x C x
        # 8 bytes, 1.6 GB for a million samples. Each sample's score is
        # computed from its own column, so blocks give the same numbers.
        mc = self._mc_proba(outputs)
        dtype = np.float64 if self._float64 else mc.dtype
        return np.concatenate(
            [
                self._score_block(np.asarray(mc[:, i : i + self._chunk], dtype))
                for i in range(0, mc.shape[1], self._chunk)
            ]
        )


def _plogp(p):
    """``p log p``, with ``0 log 0 = 0`` (``log(0)`` clipped to a finite value).

    ``-scipy.special.entr(p)`` up to the last bit of the logarithm (numpy's
    is vectorised) and several times faster: BALD takes it over every pass,
    sample and class.
    """
    out = np.log(np.maximum(p, np.finfo(p.dtype).tiny))
    out *= p
    return out


class BALD(_MCDropoutStrategy):
    __doc__ = """Bayesian Active Learning by Disagreement, with MC dropout.

    Score: the mutual information between the prediction and the model,
    ``H(mean_t p^t(x)) - mean_t H(p^t(x))``, over ``n_passes`` forward
    passes with dropout active (batch norm stays in eval mode).

    Parameters
    ----------
    n_passes : int, default=10
        The number of MC-dropout passes.
""" + _EXAMPLE.format(name="BALD")

    def _score_block(self, mc):
        # Sums over the classes as products: a sum along a short last axis
        # is several times slower.
        ones = np.ones(mc.shape[2], mc.dtype)
        return (_plogp(mc) @ ones).mean(0) - _plogp(mc.mean(0)) @ ones


class MeanSTD(_MCDropoutStrategy):
    __doc__ = """Mean standard deviation of the class probabilities under MC dropout.

    Score: ``mean_c std_t p^t_c(x)`` over ``n_passes`` passes with dropout
    active.

    Parameters
    ----------
    n_passes : int, default=10
        The number of MC-dropout passes.
""" + _EXAMPLE.format(name="MeanSTD")

    def _score_block(self, mc):
        return mc.std(0).mean(1)


class VarRatio(_MCDropoutStrategy):
    __doc__ = """Variation ratio under MC dropout (Gal et al., 2017).

    Score: ``1 - f_m / T``, where ``f_m`` is how many of the ``T = n_passes``
    passes predict the modal class. Unlike the released AutoAL code, whose
    ``1 - max p`` duplicates :class:`LeastConfidence`, this is the variation
    ratio of the MC-dropout predictions. Its values are multiples of
    ``1 / T``, so ties are common; they are broken by ``random_state``.

    Parameters
    ----------
    n_passes : int, default=10
        The number of MC-dropout passes.
""" + _EXAMPLE.format(name="VarRatio")

    _float64 = False  # votes are the same on the float32 passes

    def _score_block(self, mc):
        votes = mc.argmax(2)
        n_passes, n_samples = votes.shape
        counts = np.zeros((n_samples, mc.shape[2]), dtype=np.int64)
        rows = np.arange(n_samples)
        for vote in votes:
            counts[rows, vote] += 1
        return 1.0 - counts.max(1) / n_passes
