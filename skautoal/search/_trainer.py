"""The alternating first-order bi-level optimisation of SearchNet and FitNet."""

import numpy as np
import torch
from torch.nn import functional as F

from ._nets import search_forward
from ._relaxation import count_regulariser, ranking_loss, soft_top_k

HISTORY_KEYS = ("fit_loss", "search_objective", "selected_loss", "top_loss_overlap")


def _batches(n, batch_size, n_iter, rng):
    """Index batches: the whole set when it fits, random subsets otherwise."""
    for _ in range(n_iter):
        if n <= batch_size:
            yield slice(None)
        else:
            yield torch.as_tensor(rng.choice(n, batch_size, replace=False))


def pretrain_fit_net(fit_net, X, y, *, n_iter, lr, batch_size, rng):
    """Plain cross-entropy steps of FitNet on the training half T."""
    optimizer = torch.optim.Adam(fit_net.parameters(), lr=lr, foreach=True)
    fit_net.train()
    for batch in _batches(X.shape[0], batch_size, n_iter, rng):
        optimizer.zero_grad()
        F.cross_entropy(fit_net(X[batch]), y[batch]).backward()
        optimizer.step()


def _fit_net_step(
    search_net,
    fit_net,
    optimizer,
    X,
    y,
    masks,
    k,
    temperature,
    count_weight,
    nonnegative,
):
    with torch.no_grad():
        weights = search_forward(search_net, X, nonnegative)[0]
        selection = soft_top_k((masks * weights).sum(1), k, temperature)
    losses = F.cross_entropy(fit_net(X), y, reduction="none")
    objective = (selection * losses).mean() + count_weight * count_regulariser(
        selection, float(k)
    )
    optimizer.zero_grad()
    objective.backward()
    optimizer.step()


def search_objective(
    search_net,
    X,
    masks,
    losses,
    k,
    *,
    temperature,
    count_weight,
    loss_prediction,
    nonnegative,
):
    """SearchNet's loss on one batch: minus the mean loss of the softly
    selected samples, minus the weighted count term, plus the
    loss-prediction ranking loss.

    Returns
    -------
    objective : tensor
        The scalar to minimise.
    scores : tensor of shape (n_samples,)
        ``sum_k masks[:, k] * W[:, k]``.
    selected_loss : tensor
        The mean of ``losses`` under the soft selection.
    """
    weights, predicted_loss = search_forward(search_net, X, nonnegative)
    scores = (masks * weights).sum(1)
    selection = soft_top_k(scores, k, temperature)
    selected_loss = (selection * losses).sum() / selection.sum().clamp_min(1e-8)
    objective = -selected_loss - count_weight * count_regulariser(selection, float(k))
    if loss_prediction and predicted_loss is not None:
        objective = objective + ranking_loss(predicted_loss, losses)
    return objective, scores, selected_loss


def alternate(
    search_net,
    fit_net,
    X,
    y,
    masks,
    *,
    ratio,
    n_iter,
    fit_lr,
    search_lr,
    temperature,
    count_weight,
    loss_prediction,
    nonnegative,
    batch_size,
    update_fit_net=True,
    weight_decay=0.0,
    rng,
):
    """Alternate FitNet (min) and SearchNet (max) steps on the simulated pool V.

    Each iteration takes one FitNet step on
    ``mean(s.detach * l) + count_weight * L_re`` (unless
    ``update_fit_net=False``, which keeps FitNet as pre-trained on T, so its
    losses on V stay held-out losses) and one SearchNet step on
    ``-mean(s * l.detach) - count_weight * L_re`` (plus the loss-prediction
    ranking loss when ``loss_prediction``), where ``l`` is FitNet's
    per-sample cross-entropy and ``s`` the relaxed top-t selection of
    ``sum_k masks[:, k] * W[:, k]``.

    Returns
    -------
    history : dict of list of float
        Per iteration: FitNet's mean loss, SearchNet's objective, the mean
        loss of the softly selected samples, and the overlap of the hard
        selection with the top-loss samples.
    """
    fit_opt = torch.optim.Adam(fit_net.parameters(), lr=fit_lr, foreach=True)
    search_opt = torch.optim.AdamW(
        search_net.parameters(), lr=search_lr, weight_decay=weight_decay, foreach=True
    )
    history = {key: [] for key in HISTORY_KEYS}
    search_net.train()
    fit_net.train(update_fit_net)
    for batch in _batches(X.shape[0], batch_size, n_iter, rng):
        Xb, yb, Ab = X[batch], y[batch], masks[batch]
        k = max(1, int(round(ratio * Xb.shape[0])))

        # FitNet step: fit the samples SearchNet selects.
        if update_fit_net:
            _fit_net_step(
                search_net,
                fit_net,
                fit_opt,
                Xb,
                yb,
                Ab,
                k,
                temperature,
                count_weight,
                nonnegative,
            )

        # SearchNet step: select the samples FitNet finds hardest.
        with torch.no_grad():
            losses = F.cross_entropy(fit_net(Xb), yb, reduction="none")
        objective, scores, selected_loss = search_objective(
            search_net,
            Xb,
            Ab,
            losses,
            k,
            temperature=temperature,
            count_weight=count_weight,
            loss_prediction=loss_prediction,
            nonnegative=nonnegative,
        )
        search_opt.zero_grad()
        objective.backward()
        search_opt.step()

        top_scores = torch.topk(scores.detach(), k).indices
        top_losses = torch.topk(losses, k).indices
        overlap = np.intersect1d(top_scores.cpu().numpy(), top_losses.cpu().numpy())
        history["fit_loss"].append(float(losses.mean()))
        history["search_objective"].append(float(objective.detach()))
        history["selected_loss"].append(float(selected_loss.detach()))
        history["top_loss_overlap"].append(len(overlap) / k)
    return history
