"""The label-free batch value of AutoAL's default search, and its optimisers.

The value of a batch ``B`` is the reduction of the task model's predictive
uncertainty over the pool that its labels would bring, measured with the
last-layer Fisher information (BAIT; Ash et al., NeurIPS 2021)::

    V(B) = tr(M^-1 F_U) - tr((M + sum_{j in B} F_j)^-1 F_U)

with ``F_x = (diag p_x - p_x p_x^T) kron z_x z_x^T`` for a sample's class
probabilities ``p_x`` and whitened embedding ``z_x`` (plus a bias 1),
``M = lam I + sum_{x in L} F_x`` over the labelled set and ``F_U`` the mean
``F_x`` over a subsample of the pool. It needs no labels and scores a batch
jointly, so redundant picks gain little.

Every ``F_x`` is ``G_x G_x^T`` with the (C D) x C factor
``G_x = A_x kron z_x``, ``A_x = diag(sqrt p) (I - sqrt p sqrt p^T)``, so a
batch adds a low-rank term and the greedy optimiser updates ``M^-1`` by
Woodbury in O(n C^2 C D) per step, never forming an N x N or N x C x D
tensor for the whole pool.
"""

import numbers

import numpy as np
import torch

from ..utils._torch import all_finite
from ..utils._validation import check_positive_int
from ._relaxation import soft_top_k


def _principal_axes(E, k=None):
    """Singular values and right singular vectors of ``E``, largest first.

    From the eigendecomposition of the smaller Gram matrix (``E^T E`` or
    ``E E^T``): several times faster than an SVD of a 1000 x 256 sample,
    and the same axes up to sign and rounding (the Fisher value does not
    depend on the signs). Only the leading, well-conditioned axes are
    used; near-zero ones are counted out by a relative threshold.

    With ``k``, only the ``k`` leading pairs (fewer if ``E`` has fewer
    axes): on the CPU from LAPACK's MRRR solver for a subset of the
    spectrum (``scipy.linalg.eigh(..., driver="evr")``), under half a full
    eigendecomposition's time for 8 of 256 axes; the same subspace to
    rounding (``benchmarks/bench_fisher_setup.py``).
    """
    n, d = E.shape
    if E.device.type == "cpu":
        # numpy's product: torch's float64 E^T E on the CPU took about twice
        # as long (1000 x 256; benchmarks/bench_fisher_setup.py).
        values = E.numpy()
        small = torch.from_numpy(values.T @ values if n >= d else values @ values.T)
    else:
        small = E.T @ E if n >= d else E @ E.T
    eigval, vectors = _leading_eigh(small, k)
    if n >= d:
        return eigval.clamp_min(0).sqrt(), vectors
    S = eigval.clamp_min(0).sqrt()
    V = (E.T @ vectors) / S.clamp_min(torch.finfo(E.dtype).tiny)
    return S, V


def _leading_eigh(A, k):
    """The ``k`` largest eigenvalues of the symmetric ``A`` (all with
    ``k=None``) and their eigenvectors, largest first."""
    m = A.shape[0]
    if k is not None and 0 < k < m and A.device.type == "cpu":
        from scipy.linalg import eigh

        eigval, vectors = eigh(
            A.numpy(), subset_by_index=[m - k, m - 1], driver="evr", check_finite=False
        )
        eigval, vectors = torch.from_numpy(eigval), torch.from_numpy(vectors)
    else:
        eigval, vectors = torch.linalg.eigh(A)
        if k is not None:
            eigval, vectors = eigval[max(m - k, 0) :], vectors[:, max(m - k, 0) :]
    return eigval.flip(0), vectors.flip(1)


def _normalised(proba):
    """Each row of ``proba`` divided by its sum (rows of zeros stay zero)."""
    return proba / proba.sum(1, keepdim=True).clamp_min(1e-12)


def _factor(proba, z, rank=None):
    """The Fisher factors ``G_x``, shape (n, C * D, C), or (n, C * D, rank).

    ``G_x = A_x kron z_x`` with ``A_x A_x^T = diag p_x - p_x p_x^T``. That
    matrix has rank at most C - 1; with ``rank < C - 1``, ``A_x`` is its
    best rank-``rank`` factor, ``U_k diag(sqrt(lambda_k))`` from its
    ``rank`` largest eigenvalues, so ``G_x G_x^T`` is the best rank-``rank
    D`` approximation of ``F_x`` (each dropped eigenvalue is at most the
    sample's (rank + 1)-th largest probability).
    """
    p = _normalised(proba)
    n, C = p.shape
    if rank is None or rank >= C - 1:
        root = p.clamp_min(0).sqrt()
        eye = torch.eye(C, dtype=p.dtype, device=p.device)
        projection = eye - root[:, :, None] * root[:, None, :]
        A = root[:, :, None] * projection
    else:
        p = p.clamp_min(0)
        covariance = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]
        eigval, eigvec = torch.linalg.eigh(covariance)  # ascending
        A = eigvec[:, :, -rank:] * eigval[:, None, -rank:].clamp_min(0).sqrt()
    k = A.shape[2]
    return (A[:, :, None, :] * z[:, None, :, None]).reshape(n, C * z.shape[1], k)


def _predicted_factor(proba, z):
    """The factor of the predicted label's information, shape (n, C * D, 1).

    ``g_x = (p_x - e_y) kron z_x`` with ``y = argmax p_x``: the gradient of
    the cross-entropy at the model's own label, BADGE's gradient embedding.
    ``F_x = E_{y ~ p_x} (p_x - e_y)(p_x - e_y)^T kron z_x z_x^T``, so ``g_x
    g_x^T`` is one term of the expectation that the Fisher averages: the
    information the label brings if it is the predicted one.
    """
    p = _normalised(proba)
    g = p.clamp_min(0)
    g[torch.arange(p.shape[0], device=p.device), p.argmax(1)] -= 1.0
    return (g[:, :, None] * z[:, None, :]).reshape(p.shape[0], -1, 1)


def _left_multiply(A, G):
    """``A @ G[i]`` for every ``i`` of a (n, P, k) stack, shape (n, P, k).

    One (P x P) by (P x n k) product: ``torch.matmul(A, G)`` broadcasts
    ``A`` to (n, P, P) first, a copy of ``A`` per row that costs more than
    the products themselves once P is a few hundred (many classes).
    """
    n, P, k = G.shape
    flat = G.permute(1, 0, 2).reshape(P, n * k)
    return (A @ flat).reshape(P, n, k).permute(1, 0, 2)


def _best_gain(gain, gain_weights, taken):
    """The greedy's pick: the row of largest (weighted) gain not taken yet.

    Taken rows may have gone singular (a non-finite gain); only the others
    must be finite.
    """
    if gain_weights is not None:
        gain = gain * gain_weights
    gain = gain.masked_fill(taken, 0.0)
    if not all_finite(gain):
        raise ValueError(
            "The Fisher gains of some proposals are not finite: their "
            "probabilities or embeddings are NaN or infinite."
        )
    return int(torch.argmax(gain.masked_fill_(taken, -np.inf)))


def _fisher_total(proba, z):
    """``sum_x G_x G_x^T`` without the factors, shape (C * D, C * D).

    ``G_x G_x^T = (A_x A_x^T) kron (z_x z_x^T)`` and ``A_x A_x^T = diag p_x -
    p_x p_x^T``, so with ``Y = p kron z`` (one row per sample) the sum is the
    block diagonal of ``Y^T Z`` less ``Y^T Y``: the same matrix as ``G G^T``
    over the stacked factors (to rounding) at about a tenth of its products.
    """
    p = _normalised(proba)
    p = p.clamp_min(0)
    n, C = p.shape
    D = z.shape[1]
    Y = (p[:, :, None] * z[:, None, :]).reshape(n, C * D)
    diagonal = (Y.T @ z).reshape(C, D, D)
    return torch.block_diag(*diagonal) - Y.T @ Y


class FisherBatchValue:
    """The Fisher batch value for one round: pool, labelled set, whitening.

    Parameters
    ----------
    pool_embedding : ndarray of shape (n_pool, n_features)
        The task model's embeddings of the pool.
    pool_proba : ndarray of shape (n_pool, n_classes)
        Its class probabilities on the pool.
    labeled_embedding, labeled_proba : ndarray
        The same for the labelled set.
    dim : int
        Whitened embedding dimension; it is also capped at
        ``n_labeled // 2`` (at least 2), so the labelled set can inform the
        directions the value weighs.
    reg : float
        ``lam = reg * tr(F_U) / (C D)``: the prior is ``reg`` times the
        average per-direction information of one pool sample, so it scales
        with the model's confidence and the embedding, not with fixed units.
    n_pool_samples : int
        Pool samples that estimate ``F_U`` and the whitening.
    random_state : numpy.random.RandomState
        Draws that subsample.
    device : torch.device
        Where the math runs.
    sample_rows : array-like of int or None, default=None
        The pool rows the ``n_pool_samples`` sample is drawn from;
        ``None``: all of them.
    rank : int or None, default=None
        The rank each sample's Fisher factor in :meth:`factors` is cut to:
        ``A_x`` keeps the ``rank`` largest eigen-directions of ``diag p_x -
        p_x p_x^T`` (the best rank-``rank`` approximation; the dropped
        eigenvalues are at most the sample's (``rank`` + 1)-th largest
        probability). The greedy's systems shrink from C x C to ``rank`` x
        ``rank``. None, or a rank of at least C - 1 (the matrix's rank),
        keeps it whole. ``M`` and ``F_U`` are always exact.
    label : {"expected", "predicted"}, default="expected"
        Which labels each sample's factor in :meth:`factors` counts.
        ``"expected"``: the Fisher information, the expectation over labels
        drawn from ``p_x`` (BAIT's; cut to ``rank``). ``"predicted"``: the
        predicted label's alone, the rank-1 ``(p_x - e_y) kron z_x`` with ``y
        = argmax p_x`` (BADGE's gradient embedding); ``rank`` then does not
        apply. ``M`` and ``F_U`` are the Fisher either way.
    pool_weight : float, default=0.0
        Weighs each pool sample's term of ``F_U`` by the chance that the
        model errs on it, ``(1 - max p_x) ** pool_weight``, then rescales
        ``F_U`` to the unweighted one's trace (so the prior and the balance
        with the labelled set stay as they were; only how ``F_U`` is spread
        over directions changes): the value then asks for information about
        the parameters where the pool's errors are. 0 weighs every sample
        alike.

    Examples
    --------
    >>> import numpy as np
    >>> from skautoal.search import FisherBatchValue
    >>> rng = np.random.RandomState(0)
    >>> emb, proba = rng.randn(200, 6), rng.dirichlet(np.ones(3), 200)
    >>> value = FisherBatchValue(emb, proba, emb[:20], proba[:20], dim=4,
    ...                          reg=1.0, n_pool_samples=100, random_state=rng,
    ...                          device="cpu")
    >>> G = value.factors(np.arange(20, 60))
    >>> order = value.greedy(G, 5)
    >>> len(set(order.tolist())), bool(value.value(G[order]) > 0)
    (5, True)
    """

    chunk_size = 512

    def __init__(
        self,
        pool_embedding,
        pool_proba,
        labeled_embedding,
        labeled_proba,
        *,
        dim,
        reg,
        n_pool_samples,
        random_state,
        device,
        sample_rows=None,
        rank=None,
        label="expected",
        pool_weight=0.0,
    ):
        self.device = torch.device(device)
        if not (isinstance(pool_weight, numbers.Real) and pool_weight >= 0):
            raise ValueError(
                "FisherBatchValue's pool_weight must be a number >= 0; got "
                f"{pool_weight!r}."
            )
        self.pool_weight = float(pool_weight)
        if rank is not None:
            rank = check_positive_int(rank, "rank", "FisherBatchValue")
        self.rank = rank
        if label not in ("expected", "predicted"):
            raise ValueError(
                "FisherBatchValue's label must be 'expected' or 'predicted'; got "
                f"{label!r}."
            )
        self.label = label
        self.dtype = torch.float64
        rows = (
            np.arange(pool_embedding.shape[0])
            if sample_rows is None
            else np.asarray(sample_rows, dtype=np.int64)
        )
        sub = np.sort(
            rows[
                random_state.choice(
                    len(rows), min(len(rows), n_pool_samples), replace=False
                )
            ]
        )
        E = self._tensor(np.asarray(pool_embedding)[sub]).flatten(1)
        self._check_finite(E)
        self._mean = E.mean(0)
        n_labeled = labeled_embedding.shape[0]
        # The axes the whitening can keep: ``dim``, at most half the labels.
        # Only those are computed; counting the well-conditioned ones among
        # them gives min(wanted, rank) as counting among all would.
        wanted = max(1, min(dim, max(2, n_labeled // 2)))
        S, V = _principal_axes(E - self._mean, wanted)
        rank = int((S > 1e-6 * S[0]).sum()) if S.numel() and S[0] > 0 else 0
        self.dim = max(1, min(wanted, rank))
        scale = S[: self.dim] / np.sqrt(max(E.shape[0] - 1, 1))
        self._projection = V[:, : self.dim] / scale.clamp_min(1e-12)
        if rank == 0:
            # The pool sample has no spread (one sample, or duplicates): no
            # direction can be whitened, so the value uses the bias alone.
            self._projection = torch.zeros_like(self._projection)
        self._pool_embedding = pool_embedding
        self._pool_proba = pool_proba
        F_U = self._pool_fisher(E, self._tensor(np.asarray(pool_proba)[sub]))
        self.F_U = F_U / len(sub)
        P = self.F_U.shape[0]
        self.lam = float(reg * torch.trace(self.F_U) / P)
        eye = torch.eye(P, dtype=self.dtype, device=self.device)
        M = self._fisher_sum(
            self._tensor(labeled_embedding).flatten(1),
            self._tensor(labeled_proba),
        )
        # Whitened embeddings and probabilities keep F's entries O(1), so an
        # absolute floor keeps M invertible when the pool is certain
        # (F_U = 0, e.g. one-hot probabilities everywhere).
        self.lam = max(self.lam, 1e-6)
        self.M = M + self.lam * eye
        self._check_finite(self.M, self.F_U)
        self.M_inv = torch.linalg.inv(self.M)
        self.base = float(torch.trace(self.M_inv @ self.F_U))

    @classmethod
    def from_outputs(cls, outputs, labeled, **kwargs):
        """The value for a pool and a labelled set given as
        :class:`~skautoal.models.PoolOutputs`; ``kwargs`` as for the class."""
        return cls(
            outputs.embedding,
            outputs.proba,
            labeled.embedding,
            labeled.proba,
            sample_rows=outputs.statistics_rows,
            **kwargs,
        )

    @staticmethod
    def _check_finite(*tensors):
        if not all(all_finite(t) for t in tensors):
            raise ValueError(
                "The task model's probabilities or embeddings are not finite (NaN "
                "or infinity), so no batch value can be computed: the model may "
                "have diverged. Refit it, or check the inputs' scale."
            )

    def _tensor(self, values):
        return torch.as_tensor(np.asarray(values), dtype=self.dtype, device=self.device)

    def _whiten(self, embedding):
        z = (embedding - self._mean) @ self._projection
        return torch.cat([z, torch.ones_like(z[:, :1])], 1)

    def _fisher_sum(self, embedding, proba, weight=None):
        """The sum of the samples' Fisher information; with ``weight``, each
        sample's term times its weight (its whitened row, bias included,
        times the weight's square root)."""
        total = 0
        for start in range(0, embedding.shape[0], self.chunk_size):
            stop = start + self.chunk_size
            z = self._whiten(embedding[start:stop])
            if weight is not None:
                z = z * weight[start:stop, None].sqrt()
            total = total + _fisher_total(proba[start:stop], z)
        return total

    def _pool_fisher(self, embedding, proba):
        """``F_U``'s sum over the pool sample, weighted by ``pool_weight``."""
        if not self.pool_weight:
            return self._fisher_sum(embedding, proba)
        p = _normalised(proba).clamp_min(0)
        weight = (1.0 - p.max(1).values).clamp_min(0) ** self.pool_weight
        # A sample's term (diag p - p p^T) kron z z^T has trace
        # (1 - |p|^2) |z|^2: the traces of the weighted and unweighted sums
        # without forming the unweighted one.
        terms = (1.0 - (p * p).sum(1)) * (self._whiten(embedding) ** 2).sum(1)
        weighted = float((weight * terms).sum())
        if not weighted > 0:  # every sample certain: nothing to weigh by
            return self._fisher_sum(embedding, proba)
        return self._fisher_sum(embedding, proba, weight) * (
            float(terms.sum()) / weighted
        )

    def factors(self, indices):
        """The Fisher factors ``G_x`` of some pool samples.

        Parameters
        ----------
        indices : array-like of int
            Rows of the pool.

        Returns
        -------
        G : torch.Tensor of shape (len(indices), C * D, k)
            ``F_x = G_x G_x^T`` for each sample (to the rank cut, see
            ``rank``); ``k`` is C, or ``rank`` when that is below C - 1.
            With ``label="predicted"``, ``G_x G_x^T`` is the predicted
            label's information and ``k`` is 1.
        """
        emb = self._tensor(np.asarray(self._pool_embedding)[indices]).flatten(1)
        proba = self._tensor(np.asarray(self._pool_proba)[indices])
        if self.label == "predicted":
            return _predicted_factor(proba, self._whiten(emb))
        return _factor(proba, self._whiten(emb), self.rank)

    def value(self, G):
        """``V(B)`` of a batch.

        Parameters
        ----------
        G : torch.Tensor of shape (n, C * D, k)
            The batch's factors (:meth:`factors`).

        Returns
        -------
        value : float
            The reduction of ``tr(M^-1 F_U)`` that labelling the batch brings.
        """
        if G.shape[0] == 0:
            return 0.0
        flat = G.transpose(0, 1).reshape(G.shape[1], -1)
        after = torch.linalg.solve(self.M + flat @ flat.T, self.F_U)
        return self.base - float(torch.trace(after))

    def relaxed_value(self, G, weights):
        """``V`` with sample ``j`` counted ``weights[j]`` times.

        Parameters
        ----------
        G : torch.Tensor of shape (n, C * D, k)
            The proposals' factors.
        weights : torch.Tensor of shape (n,)
            Non-negative weights, e.g. a soft selection.

        Returns
        -------
        value : torch.Tensor
            A scalar, differentiable in ``weights``.
        """
        flat = (G * weights.sqrt()[:, None, None]).transpose(0, 1)
        flat = flat.reshape(G.shape[1], -1)
        after = torch.linalg.solve(self.M + flat @ flat.T, self.F_U)
        return self.base - torch.trace(after)

    def greedy(self, G, n_select, gain_weights=None):
        """Forward selection of ``n_select`` rows of ``G`` by largest gain.

        The gain of adding sample ``i`` is ``tr(R_i^-1 T_i)`` with the k x k
        blocks ``R_i = I + G_i^T M^-1 G_i`` and ``T_i = G_i^T M^-1 F_U M^-1
        G_i`` (``k = G.shape[2]``: C, or the value's ``rank``). After a pick
        ``j`` (``M^-1`` loses the rank-k term ``Q_j K Q_j^T``, ``Q_j = M^-1
        G_j``, ``K = R_j^-1``), only these blocks are updated, from ``S_i =
        G_i^T Q_j`` and ``U_i = G_i^T M^-1 F_U Q_j``: one (n k x P) by (P x 2
        k) product per step, then n small k x k products, never the (n, P,
        k) stacks.

        Parameters
        ----------
        G : tensor of shape (n, C * D, k)
            The proposals' factors (:meth:`factors`).
        n_select : int
            How many to pick.
        gain_weights : array-like of shape (n,) or None, default=None
            Positive multipliers of each row's gain (a prior over the
            proposals); None picks by the gain alone.

        Returns
        -------
        order : ndarray of shape (n_select,), dtype int64
            Rows of ``G`` in the order they were picked.
        """
        n, P, C = G.shape
        if gain_weights is not None:
            gain_weights = torch.as_tensor(
                np.asarray(gain_weights, dtype=np.float64), device=G.device
            ).to(G.dtype)
            if gain_weights.shape != (n,) or not bool((gain_weights > 0).all()):
                got = (
                    f"shape {tuple(gain_weights.shape)}"
                    if gain_weights.shape != (n,)
                    else f"a smallest value of {float(gain_weights.min())}"
                )
                raise ValueError(
                    f"gain_weights must be {n} positive numbers, one per row of G; "
                    f"got {got}."
                )
        if C == 1:
            return self._greedy_rank_one(G[:, :, 0], n_select, gain_weights)
        return self._greedy_blocks(G, n_select, gain_weights)

    def _greedy_blocks(self, G, n_select, gain_weights):
        """:meth:`greedy`'s steps on the k x k blocks (any k)."""
        n, P, C = G.shape
        # G_i^T stacked, one (C x P) block per proposal: each step's blocks
        # S_i = G_i^T Q_j and U_i = G_i^T M^-1 F_U Q_j are then one product
        # whose result already has the (n, C, 2C) layout, with no copies.
        stacked = G.transpose(1, 2).reshape(n * C, P)
        M_inv = self.M_inv.clone()
        # M^-1 G_i and F_U M^-1 G_i for every i as one (P x P) by (P x n C)
        # product each: a broadcast matmul would copy M^-1 once per proposal.
        Q = _left_multiply(M_inv, G)
        eye = torch.eye(C, dtype=G.dtype, device=G.device)
        R = eye + G.transpose(1, 2) @ Q
        T = Q.transpose(1, 2) @ _left_multiply(self.F_U, Q)
        del Q
        taken = torch.zeros(n, dtype=torch.bool, device=G.device)
        order = []
        for _ in range(min(n_select, n)):
            # solve_ex: a singular R_i (a taken row) gives a non-finite gain
            # that is masked below, not an error.
            gain = torch.linalg.solve_ex(R, T)[0].diagonal(dim1=1, dim2=2).sum(1)
            j = _best_gain(gain, gain_weights, taken)
            order.append(j)
            taken[j] = True
            Q_j = M_inv @ G[j]
            # R_j^-1 from its Cholesky factor: symmetric by construction, and
            # half the small ops of an LU inverse made symmetric.
            K = torch.cholesky_inverse(torch.linalg.cholesky(R[j]))
            blocks = stacked @ torch.cat([Q_j, M_inv @ (self.F_U @ Q_j)], 1)
            # T - U SK^T - SK U^T + SK T_j SK^T = T - (W SK^T + SK W^T) with
            # W = U - SK T_j / 2 (T_j is symmetric): one batched product.
            # SK and W are computed on the flat (n C, C) rows of blocks.
            SK = blocks[:, :C] @ K
            W = torch.addmm(blocks[:, C:], SK, T[j], alpha=-0.5).view(n, C, C)
            SK = SK.view(n, C, C)
            WSK = W @ SK.transpose(1, 2)
            T = T - WSK - WSK.transpose(1, 2)
            R = torch.baddbmm(R, SK, blocks[:, :C].view(n, C, C).mT, alpha=-1)
            M_inv = torch.addmm(M_inv, Q_j @ K, Q_j.T, alpha=-1)
        return np.asarray(order, dtype=np.int64)

    def _greedy_rank_one(self, g, n_select, gain_weights):
        """:meth:`greedy` for factors of one column (``label="predicted"``),
        ``g`` of shape (n, P): the k x k blocks are numbers, so every step is
        a few vector operations (the general steps' batched 1 x 1 solves and
        Cholesky factors cost more than the rest of the step). The same
        updates: ``R_i = 1 + g_i^T M^-1 g_i``, ``T_i = g_i^T M^-1 F_U M^-1
        g_i``, gain ``T_i / R_i``, and after a pick ``j`` with ``q = M^-1
        g_j``, ``s_i = g_i^T q``, ``u_i = g_i^T M^-1 F_U q``: ``R_i -= s_i^2 /
        R_j``, ``T_i -= 2 (u_i - s_i T_j / (2 R_j)) s_i / R_j``, ``M^-1 -= q
        q^T / R_j``."""
        n = g.shape[0]
        M_inv = self.M_inv.clone()
        Q = M_inv @ g.T  # (P, n): M^-1 g_i for every i
        R = 1.0 + (g * Q.T).sum(1)
        T = ((self.F_U @ Q) * Q).sum(0)
        taken = torch.zeros(n, dtype=torch.bool, device=g.device)
        order = []
        for _ in range(min(n_select, n)):
            j = _best_gain(T / R, gain_weights, taken)
            order.append(j)
            taken[j] = True
            q = M_inv @ g[j]
            K = 1.0 / R[j]
            su = g @ torch.stack([q, M_inv @ (self.F_U @ q)], 1)
            SK = su[:, 0] * K
            W = su[:, 1] - 0.5 * T[j] * SK
            T = T - 2.0 * W * SK
            R = R - SK * su[:, 0]
            M_inv = M_inv - torch.outer(q * K, q)
        return np.asarray(order, dtype=np.int64)

    def gradient(
        self,
        G,
        masks,
        n_select,
        *,
        strategy_logits,
        n_iter,
        lr,
        generator,
    ):
        """AutoAL's differentiable form over the candidates' proposals.

        The score of proposal ``j`` is ``r_j = delta_j + log sum_k A[j, k]
        exp(beta_k)``: a weight per candidate (``beta``, started from
        ``strategy_logits``) and per sample (``delta``). ``soft_top_k(r,
        n_select)`` relaxes the selection and Adam maximises the relaxed
        value.

        Parameters
        ----------
        G : torch.Tensor of shape (n, C * D, k)
            The proposals' factors.
        masks : ndarray of shape (n, n_candidates)
            Which candidates proposed each proposal.
        n_select : int
            How many to pick.
        strategy_logits : ndarray of shape (n_candidates,)
            The starting ``beta``.
        n_iter : int
            Adam steps.
        lr : float
            Adam's learning rate.
        generator : torch.Generator
            Draws the small random start of ``delta``.

        Returns
        -------
        order : ndarray of shape (n_select,), dtype int64
            The top ``n_select`` rows by the learned score.
        beta : ndarray of shape (n_candidates,)
            The learned per-candidate logits.
        """
        A = torch.as_tensor(masks, dtype=self.dtype, device=self.device)
        beta = torch.as_tensor(
            strategy_logits, dtype=self.dtype, device=self.device
        ).clone()
        beta.requires_grad_(True)
        delta = torch.zeros(G.shape[0], dtype=self.dtype, device=self.device)
        delta += 1e-3 * torch.randn(
            G.shape[0], generator=generator, dtype=self.dtype
        ).to(self.device)
        delta.requires_grad_(True)
        optimizer = torch.optim.Adam([beta, delta], lr=lr)
        log_a = torch.log(A.clamp_min(1e-30))
        for _ in range(n_iter):
            optimizer.zero_grad()
            r = delta + torch.logsumexp(log_a + beta, 1)
            selection = soft_top_k(r, n_select)
            loss = -self.relaxed_value(G, selection)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            r = delta + torch.logsumexp(log_a + beta, 1)
        order = torch.argsort(r, descending=True)[:n_select]
        return order.cpu().numpy().astype(np.int64), beta.detach().cpu().numpy()
