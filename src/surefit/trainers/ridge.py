"""A weight penalty for measured data, fixed or chosen by the evidence (Bayesian regularisation).

A regularised trainer minimises, per candidate, |r|^2 + ridge |theta|^2 over the N training
points (scaled units; every weight and bias counts). In MacKay's terms (1992; Foresee &
Hagan 1997, MATLAB's trainbr) that is beta E_D + alpha E_W with ridge = alpha / beta.
Evidence re-estimates the ridge between where the evidence p(data | alpha, beta) is largest and
where generalised cross-validation is least (chosen_ridge); with e the eigenvalues of the
Gauss-Newton matrix [J H]^T [J H] of every parameter,
    gamma = sum e / (e + ridge)            the effective number of parameters,
    alpha = gamma / |theta|^2, beta = (N - gamma) / |r|^2,
and 1 / beta = |r|^2 / (N - gamma) is the noise variance the data show.
The output layer may carry a smaller penalty than the hidden layers, its share of the ridge
(MacKay's separate alpha per group of weights): each parameter's penalty is ridge * weight,
with weights (K, P) from Ridge.weights; with several inputs, each input's first-layer weights
carry a share the evidence re-estimates (Evidence.reweigh_inputs), and with per_unit each hidden
unit's weights too (Evidence.reweigh_units). Every formula above then holds in
the coordinates theta * sqrt(weight), where the penalty is the same for all: the Jacobian's
columns are divided by sqrt(weight).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..nets import balanced, forward, jacobian
from .base import Data

EIGEN_ROWS = 2000  # rows of the Jacobian the evidence is taken from
RELEVANCE = (1e-2, 1e8)  # the range of an input's share of the ridge: 1e8 has pruned it


@dataclass(frozen=True)
class Ridge:
    """A fixed penalty: ridge = alpha (0: none) on every parameter, sklearn's L2 penalty."""
    alpha: float = 0.0
    shares: tuple[float, ...] = (1.0,)  # the output layer's penalty over the hidden layers', by candidate in turn

    def start(self, net, theta: torch.Tensor, groups: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(the first ridge (K,), the parameters' first shares of it (K, P) (weights), theta to
        start from): with a penalty, the same function with balanced weights (nets.balanced),
        where the penalty is smallest."""
        ridge = torch.full_like(theta[:, 0], self.alpha)
        weights = self.weights(net, len(ridge), groups)
        return ridge, weights, (balanced(net, theta) if self.adapts or self.alpha > 0 else theta)

    def weights(self, net, K: int, groups: int = 1) -> torch.Tensor:
        """(K, P) each parameter's share of the ridge: 1 in the hidden layers, in the output layer
        (its last w+1 parameters) the shares in turn, counted within each of the groups (fits
        side by side), so that every fit has the same mix and a lone candidate the first share."""
        out = net.widths[-2] + 1
        turn = torch.arange(K) % (K // groups) % len(self.shares)
        weights = torch.ones(K, net.n_params, dtype=torch.float64)
        weights[:, -out:] = torch.tensor(self.shares, dtype=torch.float64)[turn][:, None]
        return weights

    def update(self, ridge: torch.Tensor, linear: "Linearised") -> tuple[torch.Tensor, torch.Tensor]:
        """(the ridge for the next step, the effective number of parameters gamma) per candidate."""
        return ridge, effective_parameters(linear.eigenvalues, ridge)

    def reweigh(self, net, weights: torch.Tensor, theta: torch.Tensor, ridge: torch.Tensor,
                linear: "Linearised") -> torch.Tensor:
        """(K, P) the parameters' shares of the ridge for the next step: a fixed penalty keeps them."""
        return weights

    def columns(self, net) -> int:
        """How many of theta's leading parameters the linearised network keeps loadings of
        (Linearised.loadings), for reweigh."""
        return relevance_columns(net)

    @property
    def adapts(self) -> bool:
        return False


@dataclass(frozen=True)
class Evidence(Ridge):
    """The ridge between the choices of the evidence of the network, linearised at its current
    weights, and of generalised cross-validation (chosen_ridge). Taken afresh at every step over a
    grid of ridges, not by MacKay's fixed-point iteration alpha = gamma / |theta|^2, which a
    network with more parameters than points cannot leave once it interpolates the noise
    (|r|^2 ~ 0 keeps the ridge ~ 0). On exact data the best ridge falls towards 0, so a
    noiseless fit loses (almost) nothing.
    Half the candidates penalise the output layer as much as the hidden ones, half 100x less
    (MacKay's separate alpha per group), and the evidence picks among them (Penalised.scores):
    neither is right for every target. Each share alone, 8 tanh units, median error against
    the truth (uniform -> 1/100; data seeds): smooth targets want the smaller output penalty
    (sin(2x), 10% noise: 0.0182 -> 0.0147 (6); friedman1: 0.714 -> 0.584 (6); sin(6x), 10%:
    0.040 -> 0.028 (8); diabetes, held out: 55.4 -> 54.6 (8)), a step does not (30% noise:
    0.124 -> 0.145 (10)), and the evidence took the better one on 10 of 10 step seeds and 6
    of 6 friedman1's. Where it errs: a triangle wave at 30% noise, where it prefers 1/100
    (0.070 -> 0.077 (10)). Both shares in one fit, 20 data seeds: bench/RESULTS-noisy.md."""
    alpha: float = 1e-3
    shares: tuple[float, ...] = (1.0, 0.01)

    step: float = 10.0  # the most the ridge moves in one step, as a factor: the linearisation is local
    per_unit: bool = False  # each hidden unit's weights carry their own share too (reweigh_units)

    def columns(self, net) -> int:
        return net.n_params if self.per_unit else relevance_columns(net)

    def reweigh(self, net, weights, theta, ridge, linear):
        """The parameters' shares of the ridge for the next step: by input (reweigh_inputs), then,
        with per_unit, by hidden unit (reweigh_units)."""
        gammas = linear.gammas(ridge)  # (K, p) each kept parameter's part of gamma
        weights = self.reweigh_inputs(net, weights, theta, ridge, linear, gammas)
        return self.reweigh_units(net, weights, theta, ridge, linear, gammas) if self.per_unit else weights

    def reweigh_inputs(self, net, weights, theta, ridge, linear, gammas):
        """With several inputs, each input's first-layer weights get their own share: MacKay's
        automatic relevance determination (1994; Neal 1996), an input the target does not use is
        penalised towards zero instead of fitting noise through it. The group c's share moves by
        the ratio of its own alpha, gamma_c / |u_c|^2, to all the weights', gamma / |u|^2 (u the
        weights in the coordinates where the penalty is ridge I, gamma_c its parameters' parts of
        gamma), at most `step` in one step: the fixed point is where the two agree. Measured,
        error against the truth, median of 20 data seeds (bench/RESULTS-noisy.md): friedman1
        (500 rows, 10 inputs of which 5 unused), 8 tanh 0.596 -> 0.308 and 32 relu 0.888 -> 0.696,
        each fit faster; 64,64 tanh there (the wide trainer, 2 seeds) 1.14 -> 0.52, in 3x the
        steps; diabetes (held out) 54.7 -> 54.5 and 55.1 -> 55.2, where every input counts
        somewhat; sqrt(x^2 + y^2) + 5% noise, 300 points, 10 seeds, both inputs alike: 8 tanh
        0.0237 -> 0.0234, 16 relu 0.0173 -> 0.0172.
        With several hidden layers the shares are relative, the most relevant input's 1: their common
        level is the first layer's penalty against its biases' and the next layers', which the
        evidence does not pin (the first layer's weights and biases can grow by c and the next
        layer's shrink by c, the function unchanged), and left free it drifted up 1e3-1e6x (64,64
        relu on friedman1, 250 rows), penalising the first layer's weights that much more than its
        biases and the next layers', and candidates stuck underfitting. Measured there, surefit.fit, error against the truth, data
        seeds 0-9: median 0.838 -> 0.766, worst 2.08 -> 1.24, better on 7 of 10. With one hidden
        layer, pinned (and the per-unit alternative's shares with them), friedman1 (500 rows) 8 tanh
        lost 0.298 -> 0.328, on 10 of 10 seeds: there they stay free."""
        d, first = net.widths[0], relevance_columns(net)
        if not first:
            return weights
        by_input = lambda t: t.reshape(-1, d, first // d).sum(-1)  # noqa: E731  (K, first) -> (K, d)
        u2 = weights * theta.pow(2)
        factor = self.factor(by_input(gammas[:, :first]), by_input(u2[:, :first]), u2, linear, ridge)  # (K, d)
        weights = weights.clone()
        shares = weights[:, :first].reshape(-1, d, first // d) * factor[..., None]
        if len(net.hidden) > 1:  # relative: the most relevant input's share is 1 (one hidden layer: left free)
            shares = shares / shares.amin(dim=(1, 2), keepdim=True)
        weights[:, :first] = shares.clamp(*RELEVANCE).reshape(-1, first)
        return weights

    def reweigh_units(self, net, weights, theta, ridge, linear, gammas):
        """With one hidden layer (weighs_units), each hidden unit's parameters (its input weights, its bias, its
        output weight) get a share of their own, moved as reweigh_inputs moves an input's: MacKay's
        automatic relevance determination per unit (1995; Neal 1996). Where one Gaussian prior on
        every weight smooths a jump or a kink away (a steep unit needs large weights), this one
        keeps the few large units the data ask for and prunes the rest: a step at 30% noise, 8 relu,
        10 data seeds, error against the truth 0.098 -> 0.071 with gamma 10 -> 5. On smooth targets
        it does worse (sin(2x) at 10%, 32 relu, 0.031 -> 0.034): fitting.py fits it beside one penalty
        for every weight, and generalised cross-validation chooses (priors.alternatives)."""
        (W, b), (W_out, _) = net.slices()  # W (d, h) row-major: input i's weight into unit j at i h + j
        d, h = net.widths[0], net.hidden[0]
        unit = torch.arange(h)
        inputs = [W.start + i * h + unit for i in range(d)]
        cols = torch.stack([*inputs, b.start + unit, W_out.start + unit], 1)  # (h, d + 2) each unit's parameters
        u2 = weights * theta.pow(2)
        factor = self.factor(gammas[:, cols].sum(-1), u2[:, cols].sum(-1), u2, linear, ridge)  # (K, h)
        weights = weights.clone()
        weights[:, cols] = (weights[:, cols] * factor[..., None]).clamp(*RELEVANCE)
        return weights

    def factor(self, gamma_c, u2_c, u2, linear, ridge) -> torch.Tensor:
        """(K, c) how far each group c's share moves: the ratio of its own alpha, gamma_c / |u_c|^2
        (gamma_c, |u_c|^2 (K, c)), to all the weights', gamma / |u|^2 (u2 (K, P) the weights' squares
        in the coordinates where the penalty is ridge I), at most `step` either way."""
        own = gamma_c / u2_c.clamp_min(1e-300)
        overall = effective_parameters(linear.eigenvalues, ridge)[:, None] / u2.sum(-1, keepdim=True)
        return (own / overall.clamp_min(1e-300)).clamp(1 / self.step, self.step)

    def update(self, ridge, linear):
        best = chosen_ridge(linear)
        ridge = torch.minimum(torch.maximum(best, ridge / self.step), ridge * self.step)
        return ridge, effective_parameters(linear.eigenvalues, ridge)

    @property
    def adapts(self) -> bool:
        return True


def weighs_units(hidden: tuple[int, ...]) -> bool:
    """Whether Evidence.reweigh_units can give a network of these hidden widths a share of the
    ridge per unit: it groups the units of one hidden layer."""
    return len(hidden) == 1


def relevance_columns(net) -> int:
    """How many of theta's leading parameters are weighed input by input (Evidence.reweigh_inputs):
    the first layer's weights, input by input (nets.py), where there are several inputs."""
    return net.widths[0] * net.widths[1] if net.widths[0] > 1 and len(net.widths) > 2 else 0


@dataclass(frozen=True)
class Linearised:
    """The network linearised at theta: f(theta') ~ f(theta) + J (theta' - theta). Its evidence
    needs the eigenvalues e (K, m) of J J^T (or J^T J: the non-zero ones agree), the
    pseudo-targets z = y - f + J theta projected on the matching eigenvectors (K, m), and
    the energy of z outside them (K,). Each parameter's part of gamma needs the squared entries
    of the eigenvectors in the parameters' space, V (K, P, m): kept for the first p parameters
    (Ridge.columns), whose J columns are J[..., :p]."""
    eigenvalues: torch.Tensor
    projections: torch.Tensor
    rest: torch.Tensor
    N: int
    loadings: torch.Tensor  # (K, p, m) V^2 of the first p parameters

    def gammas(self, ridge: torch.Tensor) -> torch.Tensor:
        """(K, p) each of the first p parameters' part of gamma, sum over m of V_im^2 e_m / (e_m + ridge)
        (= 1 - ridge [(G + ridge I)^-1]_ii, MacKay's gamma of one weight)."""
        share = self.eigenvalues / (self.eigenvalues + ridge[:, None].clamp_min(1e-300))  # (K, m)
        return (self.loadings @ share.unsqueeze(-1)).squeeze(-1)

    @classmethod
    def of(cls, J: torch.Tensor, z: torch.Tensor, JtJ: torch.Tensor | None = None, p: int = 0) -> "Linearised":
        """From J (K, N, P), by the smaller of J J^T and J^T J (given, if already computed)."""
        if J.shape[1] <= J.shape[2]:
            return cls.of_points(J @ J.transpose(1, 2), z, J[..., :p])
        return cls.of_parameters(J.transpose(1, 2) @ J if JtJ is None else JtJ, J, z, p)

    @classmethod
    def of_points(cls, JJ: torch.Tensor, z: torch.Tensor, J_first: torch.Tensor | None = None) -> "Linearised":
        """From J J^T (K, N, N), every direction of the data an eigenvector u, and the first
        parameters' columns J_first (K, N, p) (None: p = 0): their entries of v = J^T u / sqrt(e)."""
        e, U = torch.linalg.eigh(JJ)
        e = e.clamp_min(0)
        J_first = JJ[..., :0] if J_first is None else J_first
        V = J_first.transpose(1, 2) @ U / e.clamp_min(1e-300).sqrt()[:, None, :]  # (K, p, N)
        V = torch.where(significant(e)[:, None, :], V, 0.0)
        return cls(e, (U.transpose(1, 2) @ z.unsqueeze(-1)).squeeze(-1), torch.zeros_like(z[:, 0]),
                   z.shape[1], V.pow(2))

    @classmethod
    def of_parameters(cls, G: torch.Tensor, J: torch.Tensor, z: torch.Tensor, p: int = 0) -> "Linearised":
        """From J^T J (K, P, P) and J (K, N, P): the data directions u = J v / sqrt(e)."""
        Jz = (J.transpose(1, 2) @ z.unsqueeze(-1)).squeeze(-1)  # (K, P)
        return cls.of_sums(G, Jz, z.pow(2).sum(-1), z.shape[1], p)

    @classmethod
    def of_sums(cls, G: torch.Tensor, Jz: torch.Tensor, zz: torch.Tensor, N: int, p: int = 0) -> "Linearised":
        """From the sums over rows J^T J (K, P, P), J^T z (K, P) and |z|^2 (K,) of N rows (rows.py)."""
        e, V = torch.linalg.eigh(G)
        e = e.clamp_min(0)
        proj = (V.transpose(1, 2) @ Jz.unsqueeze(-1)).squeeze(-1) / e.clamp_min(1e-300).sqrt()
        proj = torch.where(significant(e), proj, 0.0)
        return cls(e, proj, (zz - proj.pow(2).sum(-1)).clamp_min(0), N, V[:, :p].pow(2))


def significant(e: torch.Tensor) -> torch.Tensor:
    """(K, m) True for the eigenvalues e (K, m) above 1e-12 of the largest: the rest are rounding,
    and dividing by their roots would blow a direction of nothing up."""
    return e > 1e-12 * e.amax(-1, keepdim=True)


GRID = 10.0 ** torch.arange(-14.0, 1.01, 0.25)  # ridges tried, as shares of the largest eigenvalue
GCV_RHO = 1.4  # GCV's charge per effective parameter, over 1: plain GCV (1) drifts towards interpolating the
# noise where the network has about as many parameters as points, its score flat and at times lowest there (30 tanh,
# 60 noisy points: ridges 1e-4 of the evidence's); 1.4 is Kim & Gu's (2004), the default of Gu's gss package


def grid_for(e: torch.Tensor) -> torch.Tensor:
    """(K, R) the ridges tried for each candidate: GRID scaled by its largest eigenvalue (K, m)."""
    return e.amax(-1, keepdim=True).clamp_min(1e-300) * GRID.to(e.dtype)


def best_ridge(linear: Linearised) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(ridge, noise variance, log evidence up to a constant) (K,) maximising the evidence of the
    linearised network, whose weights have prior N(0, I / alpha) and whose targets have noise
    N(0, 1 / beta), ridge = alpha / beta: z ~ N(0, (J J^T / ridge + I) / beta). For each ridge the best 1 / beta is
    the mean of z_i^2 / (e_i / ridge + 1); the log evidence is then, up to a constant,
    -(sum log(e_i / ridge + 1) + N log(1 / beta)) / 2. Searched on a grid, then refined by
    a parabola through the best point and its neighbours (in log ridge)."""
    e, z2, N = linear.eigenvalues, linear.projections.pow(2), linear.N
    ridges = grid_for(e)  # (K, R)
    a = e[:, None, :] / ridges[..., None] + 1  # (K, R, m)
    variance = ((z2[:, None, :] / a).sum(-1) + linear.rest[:, None]) / N  # (K, R)
    log_ev = -(torch.log(a).sum(-1) + N * torch.log(variance.clamp_min(1e-300))) / 2
    i = log_ev.argmax(-1).clamp(1, len(GRID) - 2)
    left, mid, right = (log_ev.gather(1, (i + k)[:, None])[:, 0] for k in (-1, 0, 1))
    curve = left - 2 * mid + right
    shift = torch.where(curve < 0, 0.5 * (left - right) / curve.clamp_max(-1e-300), 0.0).clamp(-1, 1)
    ridge = ridges.gather(1, i[:, None])[:, 0] * 10.0 ** (0.25 * shift)
    a = e / ridge[:, None] + 1
    variance = ((z2 / a).sum(-1) + linear.rest) / N
    return ridge, variance, -(torch.log(a).sum(-1) + N * torch.log(variance.clamp_min(1e-300))) / 2


def gcv_ridge(linear: Linearised) -> torch.Tensor:
    """(K,) the ridge on GRID with the least generalised cross-validation score of the linearised
    network (Craven & Wahba 1979), N |r|^2 / (N - GCV_RHO gamma)^2: r = z - J theta_ridge, whose
    part along eigenvector i is z_i ridge / (e_i + ridge), and gamma the trace of the hat matrix.
    An estimate of the error on new points that assumes no prior, where the evidence assumes one."""
    e, z2, N = linear.eigenvalues, linear.projections.pow(2), linear.N
    ridges = grid_for(e)  # (K, R)
    kept = ridges[..., None] / (e[:, None, :] + ridges[..., None])  # (K, R, m) what the ridge leaves of z_i
    misfit = (z2[:, None, :] * kept.pow(2)).sum(-1) + linear.rest[:, None]
    room = N - GCV_RHO * (1 - kept).sum(-1)  # (K, R) N - rho gamma
    score = torch.where(room > 0, N * misfit / room.clamp_min(1e-300).pow(2), float("inf"))
    return ridges.gather(1, score.argmin(-1, keepdim=True))[:, 0]


def chosen_ridge(linear: Linearised) -> torch.Tensor:
    """(K,) the ridge a step moves towards: the geometric mean of the evidence's (best_ridge) and
    generalised cross-validation's (gcv_ridge). The evidence is the steadier choice, but its
    Gaussian prior on the weights is wrong for a kink or a jump, which need a few large weights,
    and it smooths them away; GCV is nearly unbiased for the error on new points but varies more
    from sample to sample (Wahba 1985 compares the two on smoothing splines; Efron 2001 finds the
    same and settles between them). Measured, error against the truth, median of 10 data seeds,
    the evidence alone -> this: triangle wave at 30% noise, 8 tanh, 0.077 -> 0.058; at 10%, 32 tanh
    0.029 -> 0.026 and 32 relu 0.018 -> 0.015; sin(6x) at 10% and 30%, 8 tanh, 0.033 -> 0.028 and
    0.110 -> 0.097; a step at 30%, 8 relu, 0.105 -> 0.098; sin(2x) at 10%, 8 tanh, 0.0148 -> 0.0148,
    at 30% 0.0443 -> 0.0444; the worst loss a triangle wave at 30%, 8 relu, 0.038 -> 0.043; over 39
    1-D cases and networks the geometric mean of the ratios 0.981 (GCV alone: 0.989, kinks gaining
    more, smooth targets losing up to 11%). On the benchmark's 20 seeds (bench/RESULTS-noisy.md) the
    mean is 0.996 and sin(2x) loses more: 8 tanh at 10% noise 0.0165 -> 0.0181."""
    return (best_ridge(linear)[0] * gcv_ridge(linear)).sqrt()


def effective_parameters(eigenvalues: torch.Tensor, ridge: torch.Tensor) -> torch.Tensor:
    """gamma (K,) from the eigenvalues (K, m) of the Gauss-Newton matrix."""
    return (eigenvalues / (eigenvalues + ridge[:, None].clamp_min(1e-300))).sum(-1)


def objective(data: Data, theta: torch.Tensor, penalty: torch.Tensor) -> torch.Tensor:
    """(K,) what a regularised trainer minimises, per point: the mean squared error plus
    sum penalty * theta^2 / N, penalty (K, P) each parameter's ridge (exactly the mean squared
    error when there is none)."""
    return penalised(data.losses(theta), theta, penalty, len(data.y))


def penalised(losses: torch.Tensor, theta: torch.Tensor, penalty: torch.Tensor, N: int) -> torch.Tensor:
    """objective() from the mean squared errors (K,) already known."""
    if not bool((penalty > 0).any()):
        return losses
    return losses + (penalty * theta.pow(2)).sum(-1) / N


def linearise(data: Data, theta: torch.Tensor, weights: torch.Tensor, p: int = 0) -> Linearised:
    """The network at theta (K, P) linearised on at most EIGEN_ROWS of the training rows (the
    best ridge, a ratio of prior and noise precisions, does not depend on how many), in the
    coordinates where the penalty weights (K, P) are all 1, with the loadings of its first p parameters."""
    N = len(data.y)
    rows = slice(None) if N <= EIGEN_ROWS else torch.linspace(0, N - 1, EIGEN_ROWS).long()
    X, y = data.X[rows], data.y[rows]
    J = jacobian(data.net, theta, X)  # (K, n, P)
    z = (J @ theta.unsqueeze(-1)).squeeze(-1) - (forward(data.net, theta, X) - y)
    return Linearised.of(J * weights.rsqrt()[:, None, :], z, p=p)


def log_evidence(data: Data, theta: torch.Tensor, ridge: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """(K,) the log evidence of each candidate where it stands (MacKay 1992, eq. 4.5, up to a
    constant): its own misfit |r|^2 at theta, its Occam factor from the Gauss-Newton matrix, at
    alpha and beta re-estimated there. The score that compares local optima fairly, where the
    training error alone would favour the one that fits the noise; unlike the linearised
    evidence, it charges a candidate that stopped short for the misfit it actually has. The
    evidence does not depend on the coordinates, so candidates with other penalty weights (K, P)
    compare fairly too: that is how the evidence picks the output layer's share."""
    N, P = len(data.y), theta.shape[1]
    linear = linearise(data, theta, weights)
    e = linear.eigenvalues * (N / linear.N)  # all rows' curvature, from the rows linearised
    sse = (forward(data.net, theta, data.X) - data.y).pow(2).sum(-1).clamp_min(1e-300)
    wsq = (weights * theta.pow(2)).sum(-1).clamp_min(1e-300)
    gamma = effective_parameters(e, ridge)
    alpha, beta = gamma.clamp_min(1e-12) / wsq, (N - gamma).clamp_min(1.0) / sse
    log_det = torch.log(beta[:, None] * e + alpha[:, None]).sum(-1) + (P - e.shape[1]) * torch.log(alpha)
    return -beta * sse / 2 - alpha * wsq / 2 - log_det / 2 + P / 2 * torch.log(alpha) + N / 2 * torch.log(beta)
