"""Tune AutoAL's Fisher search on seeds kept apart from the reported ones.

The suite reports seeds 0-11; this script runs seeds from ``--first-seed``
(default 100), so nothing reported is tuned on. Each variant is a set of
``AutoALQuerier`` parameters, run paired with the same splits as the suite::

    python benchmarks/tune_autoal.py --blocks binary,digits-38 --seeds 6 \\
        --variant reg=fisher_reg=0.1 --variant dim4=fisher_dim=4 \\
        --variant nomc=strategies=margin+entropy+coreset+badge \\
        --variant mc5=mc_passes=5 --variant sharp=fisher_proba=2

Besides ``AutoALQuerier`` parameters, a variant may set ``mc_passes`` (the
MC-dropout candidates' passes), ``fisher_proba`` (``mc`` or a power: the
probabilities the Fisher value sees), ``vote_prior`` (a power: the greedy's
gains weighted by the share of candidates proposing each sample),
``fisher_whiten`` (a power: how far the value's principal axes are whitened,
1 fully, 0 not), ``fisher_labeled`` (a power or ``uniform``: the
probabilities of the labelled set's Fisher only), ``proposal_depth`` (a
factor: each candidate proposes its top ``proposal_depth * n_queries``
samples), ``error_reward`` (a power: the greedy's gains weighted by the
candidates' error rewards from the labels) or ``handover`` (``name@fraction``:
one candidate's own batch from that fraction of the block's rounds on) or
``gain_sampling`` (a power: each greedy pick drawn with probability
proportional to its gain to that power, k-means++-like) or ``pool_weight``
(a power: each pool sample's term of ``F_U`` weighted by ``(1 - max p) **
power``, the chance the model errs there), ``labeled_scale`` (a factor on
the labelled set's information in ``M``), ``value_target`` (``labeled``:
``M`` in place of ``F_U``) or
``fisher_factor`` (``hard``: every sample's Fisher term, in the pool's, the
labelled set's and the proposals' information, is the rank-1 term of its
predicted label, BADGE's gradient embedding ``(p - onehot(argmax p)) kron
z``; in the proposals' alone it is the option ``fisher_label=predicted``);
the last twelve are experiments, not options.

``--reuse FILE`` (an earlier ``--out``, made with the same code) takes the
(block, method, seed) results it holds instead of running them again, so a
new variant can be paired with the default's stored runs.

It prints the mean AUBC per block and the mean paired difference to
``--reference`` (default margin) with its standard error; ``--reference
autoal --baselines autoal`` compares variants with the shipped default.
"""

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def _run(block, name, params, seed):
    record = variant_record(block, name, params, seed)
    return block, name, seed, record["aubc"]


def variant_record(block, name, params, seed, **run_kwargs):
    """The record of ``suite.run_one(block, name, seed, **run_kwargs)``, with
    AutoAL's parameters and experiment patches ``params`` (``None``: the
    method ``name`` as the suite runs it)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)
    from skautoal import AutoALQuerier, benchmark, suite

    params = None if params is None else dict(params)
    if params and "+" in str(params.get("strategies", "")):
        names = params["strategies"].split("+")
        params["strategies"] = [benchmark.make_strategy(n) for n in names]
    if params and "mc_passes" in params:
        # The MC-dropout candidates' passes (BALD, VarRatio, MeanSTD).
        from skautoal.strategies import preset_strategies

        passes = params.pop("mc_passes")
        strategies = params.get("strategies", "auto")
        if isinstance(strategies, str):
            strategies = preset_strategies(strategies)
        for strategy in strategies:
            if "n_passes" in strategy.get_params():
                strategy.set_params(n_passes=passes)
        params["strategies"] = strategies
    # Several experiments wrap the same methods (``_fisher_proposals``,
    # ``FisherBatchValue.greedy``): each undo restores what it wrapped, so
    # they are undone in the reverse order, or a combination would leave a
    # patch behind for the worker's next job.
    proposal_patches = {"error_reward", "proposal_depth", "handover"} & set(
        params or {}
    )
    if len(proposal_patches) > 1:
        # Each replaces how the proposals are built; they do not compose.
        raise ValueError(f"A variant may set only one of {sorted(proposal_patches)}.")
    undos = []
    try:
        undos.append(
            _patch_fisher_proba(
                params.pop("fisher_proba", None) if params else None,
                params.pop("fisher_labeled", None) if params else None,
            )
        )
        for key, patch in [
            ("vote_prior", _patch_vote_prior),
            ("fisher_whiten", _patch_whitening),
            ("fisher_factor", _patch_fisher_factor),
            ("error_reward", _patch_error_reward),
            ("proposal_depth", _patch_proposal_depth),
        ]:
            undos.append(patch(params.pop(key, None) if params else None))
        undos.append(
            _patch_handover(params.pop("handover", None) if params else None, block)
        )
        undos.append(
            _patch_gain_sampling(
                params.pop("gain_sampling", None) if params else None, seed
            )
        )
        undos.append(
            _patch_pool_weight(params.pop("pool_weight", None) if params else None)
        )
        undos.append(
            _patch_labeled_scale(params.pop("labeled_scale", None) if params else None)
        )
        undos.append(
            _patch_value_target(params.pop("value_target", None) if params else None)
        )
        if params is None:
            record = suite.run_one(block, name, seed, **run_kwargs)
        else:
            original = benchmark.make_querier

            def make(method, estimator, n_queries, seed, device):
                return AutoALQuerier(
                    estimator,
                    n_queries=n_queries,
                    random_state=seed,
                    warm_start=True,
                    device=device,
                    **params,
                )

            suite.make_querier = make
            try:
                record = suite.run_one(block, name, seed, **run_kwargs)
            finally:
                suite.make_querier = original
    finally:
        for undo in reversed(undos):
            undo()
    return record


def labeled_proba(proba, kind):
    """The labelled set's probabilities of the ``fisher_labeled`` experiment:
    ``"uniform"``, every label counted as a sample the model knows nothing
    about; a number ``t``, ``p ** t`` renormalised."""
    proba = np.asarray(proba, dtype=np.float64)
    if kind == "uniform":
        return np.full_like(proba, 1.0 / proba.shape[1])
    proba = np.clip(proba, 1e-12, None) ** float(kind)
    return proba / proba.sum(1, keepdims=True)


def _patch_fisher_proba(kind, labeled_kind=None):
    """Feed the Fisher value other probabilities (an experiment, not an
    option). ``kind``, for the pool and the labelled set: ``"mc"``, the mean
    of 10 MC-dropout passes; a number ``t``, ``p ** t`` renormalised (above 1
    sharper, below 1 flatter). ``labeled_kind``, then for the labelled set's
    Fisher (``M``) only: see :func:`labeled_proba`. Returns the function that
    undoes the patch (the workers run many jobs)."""
    from skautoal.search import FisherBatchValue

    original = FisherBatchValue.__dict__["from_outputs"]
    if kind is None and labeled_kind is None:
        return lambda: None

    def transform(outputs, offset):
        if kind is None:
            return outputs.proba
        if kind == "mc":
            # The labelled set's MC seed is the pool's plus one, as in the
            # runs the results page reports (not the querier's own seeding).
            outputs._seed = (outputs._seed + offset) % np.iinfo(np.int32).max
            return outputs.mc_proba(10).mean(0)
        proba = np.asarray(outputs.proba, dtype=np.float64) ** float(kind)
        return proba / proba.sum(1, keepdims=True)

    def from_outputs(cls, outputs, labeled, **kwargs):
        labeled._seed = outputs._seed
        proba = transform(labeled, 1)
        if labeled_kind is not None:
            proba = labeled_proba(proba, labeled_kind)
        return cls(
            outputs.embedding,
            transform(outputs, 0),
            labeled.embedding,
            proba,
            sample_rows=outputs.statistics_rows,
            **kwargs,
        )

    FisherBatchValue.from_outputs = classmethod(from_outputs)

    def undo():
        FisherBatchValue.from_outputs = original

    return undo


def _patch_vote_prior(alpha):
    """Weight the greedy's gains by ``(votes / n_candidates) ** alpha``, the
    share of the candidates proposing each sample (an experiment, not an
    option). Returns the function that undoes the patch."""
    if alpha is None:
        return lambda: None
    import skautoal.querier as querier
    from skautoal.search import FisherBatchValue

    picks_of, greedy = querier.candidate_picks, FisherBatchValue.greedy
    votes = {}

    def candidate_picks(candidates, outputs, *args, **kwargs):
        picks = picks_of(candidates, outputs, *args, **kwargs)
        masks = querier.picks_to_masks(picks, len(outputs))
        # The rows of G are the union of the picks, in pool order.
        votes["share"] = masks[masks.any(1)].sum(1) / masks.shape[1]
        return picks

    def weighted(self, G, n_select, gain_weights=None):
        return greedy(self, G, n_select, votes["share"] ** float(alpha))

    querier.candidate_picks = candidate_picks
    FisherBatchValue.greedy = weighted

    def undo():
        querier.candidate_picks = picks_of
        FisherBatchValue.greedy = greedy

    return undo


def _patch_whitening(power):
    """Scale the value's principal axes by ``s_k ** power * s_1 ** (1 - power)``
    instead of their own spread ``s_k`` (an experiment, not an option): 1 is
    the shipped whitening, 0 keeps the axes' relative spread (the first axis
    has unit variance). Returns the function that undoes the patch."""
    if power is None:
        return lambda: None
    from skautoal.search import _fisher

    axes = _fisher._principal_axes

    def scaled(E, k=None):
        S, V = axes(E, k)
        if S.numel() and S[0] > 0:
            S = S ** float(power) * S[0] ** (1 - float(power))
        return S, V

    _fisher._principal_axes = scaled

    def undo():
        _fisher._principal_axes = axes

    return undo


def _patch_fisher_factor(kind):
    """Count every sample's information for its predicted label alone (an
    experiment, not an option): ``"hard"`` replaces the Fisher term ``(diag p
    - p p^T) kron z z^T`` by BADGE's rank-1 ``g g^T``, ``g = (p - e_y) kron
    z`` with ``y = argmax p``, in ``F_U`` and ``M`` as well as in the
    proposals' factors. (In the proposals' factors only, it is the option
    ``fisher_label="predicted"``.) Returns the function that undoes the
    patch."""
    if kind is None:
        return lambda: None
    if kind != "hard":
        raise ValueError(f"fisher_factor must be 'hard'; got {kind!r}.")
    from skautoal.search import _fisher

    factor, total = _fisher._factor, _fisher._fisher_total

    def hard_total(proba, z):
        Y = _fisher._predicted_factor(proba, z)[:, :, 0]
        return Y.T @ Y

    _fisher._factor = lambda proba, z, rank=None: _fisher._predicted_factor(proba, z)
    _fisher._fisher_total = hard_total

    def undo():
        _fisher._factor, _fisher._fisher_total = factor, total

    return undo


def _patch_proposal_depth(depth):
    """Let each candidate propose its top ``depth * n_queries`` samples to
    the search (an experiment, not an option); the guard still compares the
    search's batch with each candidate's own top ``n_queries``. Returns the
    function that undoes the patch."""
    if depth is None:
        return lambda: None
    from skautoal import querier

    original = querier.AutoALQuerier._fisher_proposals

    def deeper(self, outputs, n_queries, labeled, random_state):
        n_picks = min(int(round(float(depth) * n_queries)), len(outputs))
        picks = querier.candidate_picks(
            self.candidates_, outputs, n_picks, labeled, random_state
        )
        own = [p[:n_queries] for p in picks]
        return own, querier.picks_to_masks(picks, len(outputs))

    querier.AutoALQuerier._fisher_proposals = deeper

    def undo():
        querier.AutoALQuerier._fisher_proposals = original

    return undo


def _patch_error_reward(alpha):
    """Weight the greedy's gains by the candidates' error rewards (an
    experiment, not an option; TAILOR- and ALBL-like, from the labels).

    After each query's labels arrive, ``fit`` (with ``queried``) scores the
    previous task model on the rows just labelled; a candidate's reward is
    the error rate of that model on the rows of the batch it proposed,
    smoothed over rounds (half the old value, half the new). In the next
    query each proposal's gain is multiplied by ``(r_i / r) ** alpha``, with
    ``r_i`` the mean reward of the candidates proposing it and ``r`` the mean
    reward of all candidates: proposals of candidates that find the model's
    mistakes count more. Returns the function that undoes the patch."""
    if alpha is None:
        return lambda: None
    from skautoal import querier
    from skautoal.search import FisherBatchValue

    cls = querier.AutoALQuerier
    fit_querier, proposals = cls._fit_querier, cls._fisher_proposals
    fisher_query, greedy = cls._fisher_query, FisherBatchValue.greedy
    state = {}

    def rewarded_fit(self, X, y, random_state, *, queried, previous_estimator):
        proposers = getattr(self, "_x_proposers", None)
        if queried is None or previous_estimator is None or proposers is None:
            self._x_reward = None
        elif len(queried) != len(proposers):
            # The rewards would pair labels with the wrong proposers.
            raise RuntimeError(
                f"fit got {len(queried)} queried rows for a query of "
                f"{len(proposers)}: the error reward cannot pair them."
            )
        else:
            wrong = (previous_estimator.predict(X[queried]) != y[queried]) * 1.0
            counts = proposers.sum(0)
            new = (proposers * wrong[:, None]).sum(0) / np.maximum(counts, 1)
            old = self._x_reward
            if old is None:
                reward = np.where(counts > 0, new, new[counts > 0].mean())
            else:
                reward = np.where(counts > 0, 0.5 * old + 0.5 * new, old)
            self._x_reward = reward
        self._x_proposers = None
        return fit_querier(
            self,
            X,
            y,
            random_state,
            queried=queried,
            previous_estimator=previous_estimator,
        )

    def weighted_proposals(self, outputs, n_queries, labeled, random_state):
        picks, masks = proposals(self, outputs, n_queries, labeled, random_state)
        state["masks"] = masks
        reward = getattr(self, "_x_reward", None)
        union = masks[masks.any(1)]
        if reward is None:
            state["weights"] = None
        else:
            reward = np.clip(reward, 0.02, 1.0)
            per_row = (union * reward).sum(1) / union.sum(1)
            state["weights"] = (per_row / reward.mean()) ** float(alpha)
        return picks, masks

    def weighted(self, G, n_select, gain_weights=None):
        return greedy(self, G, n_select, state.get("weights"))

    def recorded_query(self, outputs, n_queries, random_state):
        scores = fisher_query(self, outputs, n_queries, random_state)
        picked = np.argsort(-scores, kind="stable")[:n_queries]
        self._x_proposers = state["masks"][picked].astype(np.float64)
        return scores

    cls._fit_querier = rewarded_fit
    cls._fisher_proposals = weighted_proposals
    cls._fisher_query = recorded_query
    FisherBatchValue.greedy = weighted

    def undo():
        cls._fit_querier, cls._fisher_proposals = fit_querier, proposals
        cls._fisher_query = fisher_query
        FisherBatchValue.greedy = greedy

    return undo


def _patch_handover(spec, block):
    """From a point of the budget on, return one candidate's own batch (an
    experiment, not an option): ``spec`` is ``name@fraction``, e.g.
    ``badge@0.5`` hands over to BADGE from the query half-way through the
    block's rounds on. The value still decides before that. Returns the
    function that undoes the patch."""
    if spec is None:
        return lambda: None
    from skautoal import querier
    from skautoal.suite import BLOCKS

    name, _, fraction = str(spec).partition("@")
    start = float(fraction or 0.5) * BLOCKS[block].n_rounds
    cls = querier.AutoALQuerier
    proposals = cls._fisher_proposals

    def handed_over(self, outputs, n_queries, labeled, random_state):
        self._x_round = getattr(self, "_x_round", 0) + 1
        picks, masks = proposals(self, outputs, n_queries, labeled, random_state)
        if self._x_round <= start:
            return picks, masks
        matches = [
            k for k, n in enumerate(self._names) if n.lower().startswith(name.lower())
        ]
        if len(matches) != 1:
            raise ValueError(f"handover={spec!r} names no single candidate.")
        k = matches[0]
        # Every candidate's "own batch" is the chosen one's, and only it
        # proposes: the search then returns exactly that batch.
        only = np.zeros_like(masks)
        only[:, k] = masks[:, k]
        return [picks[k]] * len(picks), only

    cls._fisher_proposals = handed_over

    def undo():
        cls._fisher_proposals = proposals

    return undo


def _patch_gain_sampling(alpha, seed):
    """Draw each greedy step's pick with probability proportional to
    ``gain ** alpha`` instead of taking the largest gain (an experiment, not
    an option): the Fisher value's analogue of BADGE's k-means++ seeding,
    which draws each centre with probability proportional to its squared
    distance from the centres so far. ``alpha`` large tends to the greedy.
    The draws are seeded by the run's seed. The guard is off: the draws lower
    the batch's value, and the guard would hand the round to a candidate.
    Returns the function that undoes the patch."""
    if alpha is None:
        return lambda: None
    import torch

    from skautoal.search import _fisher

    rng = np.random.RandomState(10_000 + seed)
    alpha = float(alpha)

    class _Sampling:
        def __getattr__(self, name):
            return getattr(torch, name)

        @staticmethod
        def argmax(gain):
            g = gain.detach().cpu().numpy().astype(np.float64)
            weights = np.where(np.isfinite(g), np.clip(g, 0, None), 0.0) ** alpha
            if not weights.sum() > 0:
                return torch.argmax(gain)
            return torch.tensor(rng.choice(len(g), p=weights / weights.sum()))

    greedy, value = _fisher.FisherBatchValue.greedy, _fisher.FisherBatchValue.value

    def sampled_greedy(self, G, n_select, gain_weights=None):
        _fisher.torch = _Sampling()
        try:
            order = greedy(self, G, n_select, gain_weights)
        finally:
            _fisher.torch = torch
        self._x_sampled = True
        return order

    def unguarded_value(self, G):
        # The query values the searched batch right after the greedy; the
        # draws lower that value, so the guard (which returns a candidate's
        # own batch worth more) would undo them: it is kept out of the way.
        result = value(self, G)
        if getattr(self, "_x_sampled", False):
            self._x_sampled = False
            return result + 1e9
        return result

    _fisher.FisherBatchValue.greedy = sampled_greedy
    _fisher.FisherBatchValue.value = unguarded_value

    def undo():
        _fisher.FisherBatchValue.greedy = greedy
        _fisher.FisherBatchValue.value = value

    return undo


def _patch_fisher_sums(pool=None, labeled=None):
    """Patch ``FisherBatchValue._fisher_sum``, which computes the pool's
    ``F_U`` first and the labelled set's information (``M``) after it:
    ``pool(self, embedding, proba, plain)`` and ``labeled(plain)`` return
    what replaces each sum (``plain``). Returns the function that undoes the
    patch."""
    from skautoal.search import _fisher

    cls = _fisher.FisherBatchValue
    fisher_sum = cls._fisher_sum

    def patched(self, embedding, proba):
        plain = fisher_sum(self, embedding, proba)
        if getattr(self, "F_U", None) is None:
            return plain if pool is None else pool(self, embedding, proba, plain)
        return plain if labeled is None else labeled(plain)

    cls._fisher_sum = patched

    def undo():
        cls._fisher_sum = fisher_sum

    return undo


def _patch_pool_weight(power):
    """Weigh each pool sample's term of ``F_U`` by the chance that the model
    errs on it, ``(1 - max p) ** power`` (an experiment, not an option): the
    value then asks for information about the parameters where the pool's
    errors are, which is what accuracy depends on, rather than about the
    pool's parameters at large. The weighted ``F_U`` is rescaled to the
    unweighted one's trace, so the prior (``lam``, read from that trace) and
    the balance with the labelled set's information stay as they were; only
    how ``F_U`` is spread over directions changes. Returns the function that
    undoes the patch."""
    if power is None:
        return lambda: None
    from skautoal.search import _fisher

    power = float(power)

    def weighted(self, embedding, proba, plain):
        weight = (1.0 - _fisher._normalised(proba).max(1).values).clamp_min(0)
        weight = weight**power
        if not float(weight.sum()) > 0:
            return plain
        # Scaling a sample's whitened row (bias column included) by sqrt(w)
        # scales its term (diag p - p p^T) kron z z^T by w.
        total = 0
        for start in range(0, embedding.shape[0], self.chunk_size):
            stop = start + self.chunk_size
            z = self._whiten(embedding[start:stop]) * weight[start:stop, None].sqrt()
            total = total + _fisher._fisher_total(proba[start:stop], z)
        return total * float(plain.diagonal().sum() / total.diagonal().sum())

    return _patch_fisher_sums(pool=weighted)


def _patch_labeled_scale(scale):
    """Count the labelled set's information ``scale`` times in ``M`` (an
    experiment, not an option): ``M = scale * sum_L F_x + lam I``. Below 1,
    the labels already taken suppress their directions less across rounds,
    and a new batch's samples count more against them (more spread within
    the batch); above 1, the other way. Returns the function that undoes
    the patch."""
    if scale is None:
        return lambda: None
    scale = float(scale)
    return _patch_fisher_sums(labeled=lambda plain: plain * scale)


def _patch_value_target(kind):
    """What the value's information is about (an experiment, not an option):
    ``labeled`` puts the prior-regularised labelled information ``M`` in
    place of the pool's ``F_U``, so the value is ``tr(M^-1 M) - tr((M +
    B)^-1 M)``: a sample's gain is ``s / (1 + s)`` with ``s = g^T M^-1 g``,
    its gradient's size in the directions the labels cover least, with no
    weight for how much of the pool lies there (D-optimal-like, as a k-DPP
    on BADGE's embedding). Returns the function that undoes the patch."""
    if kind is None:
        return lambda: None
    if kind != "labeled":
        raise ValueError(f"value_target must be 'labeled'; got {kind!r}.")
    import torch

    from skautoal.search import _fisher

    cls = _fisher.FisherBatchValue
    init = cls.__init__

    def labeled_target(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.F_U = self.M.clone()
        self.base = float(torch.trace(self.M_inv @ self.F_U))

    cls.__init__ = labeled_target

    def undo():
        cls.__init__ = init

    return undo


def _parse_variant(text):
    name, _, rest = text.partition("=")
    params = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        if value in ("None", "null"):
            params[key] = None
        else:
            params[key] = json.loads(value) if value[:1].isdigit() else value
    return name, params


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", default="binary,digits-38")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--baselines", default="margin,badge,coreset,random")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--reference", default="margin")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", help="write every (block, method, seed, aubc)")
    parser.add_argument(
        "--reuse",
        action="append",
        default=[],
        help="an --out file of earlier runs with the same code: its (block, "
        "method, seed) results are taken instead of run again",
    )
    parser.add_argument(
        "--check-heldout",
        action="store_true",
        help="allow the held-out blocks, to check a choice already made on the "
        "others; nothing may be chosen from these numbers",
    )
    args = parser.parse_args()
    from skautoal.suite import HELDOUT_BLOCKS

    heldout = [b for b in args.blocks.split(",") if b in HELDOUT_BLOCKS]
    if heldout and not args.check_heldout:
        parser.error(
            f"argument --blocks: {', '.join(heldout)} are held out: they check "
            "choices made on the other blocks and are never tuned on; run them "
            "with 'python -m skautoal suite --blocks heldout', or check a choice "
            "already made with --check-heldout"
        )
    baselines = [name for name in args.baselines.split(",") if name]
    variants = dict(_parse_variant(v) for v in args.variant)
    if not variants and "autoal" not in baselines:
        variants = {"autoal": {}}  # the shipped default, unless already a baseline
    if args.reference not in {*baselines, *variants}:
        parser.error(
            f"argument --reference: {args.reference!r} is neither among --baselines "
            f"{baselines} nor a --variant {sorted(variants)}"
        )
    jobs = []
    for block in args.blocks.split(","):
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for name in baselines:
                jobs.append((block, name, None, seed))
            for name, params in variants.items():
                jobs.append((block, name, params, seed))
    done = {}
    for path in args.reuse:
        with open(path) as f:
            for block, name, seed, value in json.load(f):
                done[block, name, seed] = value
    todo = [job for job in jobs if (job[0], job[1], job[3]) not in done]
    with ProcessPoolExecutor(args.n_jobs) as pool:
        ran = list(pool.map(_run, *zip(*todo, strict=True))) if todo else []
    ran = {(block, name, seed): value for block, name, seed, value in ran}
    results = [
        (block, name, seed, done.get((block, name, seed), ran.get((block, name, seed))))
        for block, name, _, seed in jobs
    ]
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f)
    table = {}
    for block, name, seed, value in results:
        table.setdefault(block, {}).setdefault(name, {})[seed] = value
    for block, methods in table.items():
        print(f"\n{block}")
        ref = methods.get(args.reference)
        for name, values in sorted(
            methods.items(), key=lambda kv: -np.mean(list(kv[1].values()))
        ):
            v = np.array([values[s] for s in sorted(values)])
            line = f"  {name:<14} {v.mean():.4f}"
            if ref:
                d = v - np.array([ref[s] for s in sorted(values)])
                se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
                line += (
                    f"   vs {args.reference} {d.mean():+.4f} (se {se:.4f}, "
                    f"wins {(d > 0).sum()}/{len(d)})"
                )
            print(line)


if __name__ == "__main__":
    main()
