"""explain: exact kinks, pieces, regions and formulas of ReLU networks, checked against
independent oracles (the model's own predictions, finite differences, line arrangements);
and the fit report's plots."""
import json
from dataclasses import replace
from itertools import combinations

import matplotlib.pyplot as plt
from matplotlib.collections import PathCollection
import numpy as np
import pytest
import torch

import surefit
from surefit import store
from surefit.cli import main
from surefit.errors import SurefitError
from surefit.explanation import ExplainSettings, explain
from surefit.model import Model
from surefit.nets import pack
from surefit.outliers import set_aside
from surefit.network import NetSettings
from surefit import plots
from surefit.explanation_plot import plot_explanation
from surefit.plots import SHOWN_POINTS, draw_unit_activity, plot_fit
from surefit.scaling import Scaler


def model_from_user_layers(layers, activation="relu", x_scaler=None, y_scaler=None, variables=None):
    """A Model whose folded_layers() are `layers` (user units), stored with the given scalers."""
    scaled = [(np.array(W, float), np.array(b, float)) for W, b in layers]
    d = scaled[0][0].shape[0]
    xs = x_scaler or Scaler((0.0,) * d, (1.0,) * d)
    ys = y_scaler or Scaler((0.0,), (1.0,))
    off, scale = np.array(xs.offset), np.array(xs.scale)
    W0, b0 = scaled[0]
    scaled[0] = (W0 * scale[:, None], b0 + off @ W0)  # undo model.folded().layers
    WL, bL = scaled[-1]
    scaled[-1] = (WL / ys.scale[0], (bL - ys.offset[0]) / ys.scale[0])
    net = NetSettings(d, tuple(W.shape[1] for W, _ in scaled[:-1]), activation)
    theta = pack(net, [(torch.tensor(W)[None], torch.tensor(b)[None]) for W, b in scaled])[0].numpy()
    return Model.from_theta(net, theta, xs, ys, tuple(variables or "xyz"[:d]))


def random_model(widths, activation="relu", seed=0, box=((-3.0, 5.0),)):
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(widths[:-1], widths[1:])]
    lows, highs = np.array(box).T
    xs = Scaler(tuple((highs + lows) / 2), tuple((highs - lows) / 2))
    return model_from_user_layers(layers, activation, xs, Scaler((0.7,), (3.0,)))


def abs_model():
    """|x| on [-1024, 1024] as 2 relu units; power-of-two scalers fold exactly."""
    return model_from_user_layers([([[1.0, -1.0]], [0.0, 0.0]), ([[1.0], [1.0]], [0.0])],
                                  x_scaler=Scaler((0.0,), (1024.0,)), y_scaler=Scaler((512.0,), (256.0,)))


def evaluate(formula: str, X: np.ndarray, variables, activation="relu") -> np.ndarray:
    act = {"relu": lambda z: np.maximum(z, 0), "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z)}
    names = {v: X[:, i] for i, v in enumerate(variables)}
    return eval(formula.split("=", 1)[1], {activation: act[activation]}, names)


def test_abs_formula_reads_as_two_relus_and_evaluates_to_the_model():
    e = explain(abs_model())
    assert e.formula() == "y = 1.000*relu(x) + 1.000*relu(-x)"
    x = np.linspace(-1024, 1024, 1001)[:, None]
    assert np.allclose(evaluate(e.formula(), x, "x"), np.abs(x[:, 0]), rtol=0, atol=1e-12)
    assert e.kinks == (0.0,)
    assert [(p.slope, p.intercept) for p in e.pieces] == [(-1.0, 0.0), (1.0, 0.0)]
    assert e.domain == ((-1024.0, 1024.0),)  # the scaler's [-1, 1] box, in user units
    assert e.relative_deviation < 1e-15


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
@pytest.mark.parametrize("widths", [(1, 6, 1), (2, 5, 1), (3, 4, 1)])
def test_exact_formula_matches_the_model_to_float_precision(activation, widths):
    model = random_model(widths, activation, seed=len(widths) + widths[0],
                         box=((-3.0, 5.0), (0.0, 2.0), (-1.0, 1.0))[:widths[0]])
    e = explain(model)
    X = np.random.default_rng(1).uniform(-4, 6, size=(2000, widths[0]))
    exact, shown = evaluate(e.formula(None), X, e.variables, activation), model.predict(X)
    assert np.max(np.abs(exact - shown)) <= 1e-9 * np.max(np.abs(shown))
    assert np.max(np.abs(evaluate(e.formula(), X, e.variables, activation) - shown)) < 1e-2 * np.ptp(shown)
    assert e.relative_deviation < 1e-12


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
@pytest.mark.parametrize("hidden", [(6,), (5, 4), (4, 4, 3)])
def test_kinks_and_slopes_of_deep_one_input_nets_match_finite_differences(activation, hidden):
    model = random_model((1, *hidden, 1), activation, seed=sum(hidden))
    e = explain(model)
    assert e.relative_deviation < 1e-12
    x = np.linspace(-3, 5, 200001)
    y, h = model.predict(x), x[1] - x[0]
    bent = np.abs(np.diff(y, 2)) > 1e-9 * np.max(np.abs(y))  # a kink between x[i] and x[i+2]
    found = x[1:-1][bent]
    kinks = np.array(e.kinks)
    assert all(np.min(np.abs(kinks - f)) <= 2 * h for f in found)
    assert all(np.min(np.abs(found - k)) <= 2 * h for k in kinks)
    for p in e.pieces:  # slope and intercept at each piece's middle, by central differences
        mid = np.array([(p.lo + p.hi) / 2])
        step = (p.hi - p.lo) / 4
        slope = (model.predict(mid + step) - model.predict(mid - step))[0] / (2 * step)
        assert slope == pytest.approx(p.slope, rel=1e-7, abs=1e-9)
        assert model.predict(mid)[0] == pytest.approx(p.slope * mid[0] + p.intercept, rel=1e-9, abs=1e-9)


def test_coinciding_kinks_merge_and_silent_units_make_no_kink():
    # units 1 and 2 kink at x = 0.1 and 0.3 / 3 = 0.09999999999999999; unit 3 kinks at -0.5
    # but has output weight 0
    model = model_from_user_layers([([[1.0, 3.0, 1.0]], [-0.1, -0.3, 0.5]), ([[1.0], [2.0], [0.0]], [1.0])],
                                   x_scaler=Scaler((0.0,), (1.0,)))
    e = explain(model)
    assert len(e.kinks) == 1 and e.kinks[0] == pytest.approx(0.1, abs=1e-15)
    assert [p.slope for p in e.pieces] == pytest.approx([0.0, 7.0])


def test_domain_can_be_overridden():
    model = model_from_user_layers([([[1.0, 1.0]], [-0.5, 1.5]), ([[1.0], [-1.0]], [0.0])])
    assert explain(model).kinks == (0.5,)  # training box [-1, 1]: the kink at -1.5 is outside
    wide = explain(model, ExplainSettings(domain="-2:2"))
    assert wide.kinks == pytest.approx((-1.5, 0.5)) and wide.domain == ((-2.0, 2.0),)


def cone_model(bias=0.0):
    """sqrt(x^2+y^2) approximated by 3 units whose normals are 120 degrees apart."""
    angles = np.deg2rad([90, 210, 330])
    normals = np.stack([np.cos(angles), np.sin(angles)])  # (2, 3)
    return model_from_user_layers([(normals, np.full(3, bias)), (np.ones((3, 1)), [0.0])])


def test_three_units_120_degrees_apart_make_the_inverted_hexagonal_pyramid():
    e = explain(cone_model())
    normals = np.array(cone_model().folded().layers[0][0])
    P = np.random.default_rng(0).uniform(-1, 1, size=(40000, 2))  # to measure areas
    assert len(e.regions) == 6
    for r in e.regions:
        on = np.array([c == "1" for c in r.pattern])
        assert r.gradient == pytest.approx(tuple(normals[:, on].sum(axis=1)), abs=1e-12)
        assert r.share == pytest.approx(np.mean((((P @ normals) > 0) == on).all(axis=1)), abs=0.01)
        assert r.intercept == pytest.approx(0.0, abs=1e-12)
    assert e.relative_deviation < 1e-12


def arrangement_regions(W, b, box):
    """Regions cut by the lines w.x + b = 0 in the open box (general position): 1 + lines
    crossing it + crossings inside it."""
    (x0, x1), (y0, y1) = box
    corners = np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1]])
    lines = [j for j in range(W.shape[1]) if np.ptp(np.sign(corners @ W[:, j] + b[j])) > 0]
    inside = 0
    for i, j in combinations(lines, 2):
        p = np.linalg.solve(W[:, [i, j]].T, -b[[i, j]])
        inside += bool(x0 < p[0] < x1 and y0 < p[1] < y1)
    return 1 + len(lines) + inside


@pytest.mark.parametrize("seed", [3, 4])
def test_region_count_matches_the_line_arrangement(seed):
    model = random_model((2, 5, 1), seed=seed, box=((-1.0, 1.0), (-1.0, 1.0)))
    (W, b), _ = model.folded().layers
    e = explain(model, ExplainSettings(grid=801))
    assert len(e.regions) == arrangement_regions(W, b, e.domain)
    assert sum(r.share for r in e.regions) == pytest.approx(1.0)


def test_deep_two_input_regions_reproduce_the_model():
    e = explain(random_model((2, 6, 5, 1), "leaky_relu", seed=7, box=((-2.0, 1.0), (0.0, 3.0))))
    assert len(e.regions) > 6 and e.relative_deviation < 1e-12
    assert e.formula() is None


def test_non_piecewise_linear_model_is_refused_in_one_line():
    model = random_model((1, 4, 1), "tanh")
    with pytest.raises(SurefitError, match="piecewise-linear activation") as info:
        explain(model)
    assert "\n" not in str(info.value)


def test_cli_explains_a_saved_model(tmp_path, capsys):
    path = store.save(abs_model(), tmp_path / "abs.model")
    assert main(["explain", str(path), "--json", str(tmp_path / "e.json"), "--plot", str(tmp_path / "e.png")]) == 0
    printed = capsys.readouterr().out
    assert "y = 1.000*relu(x) + 1.000*relu(-x)" in printed and "max deviation" in printed
    report = json.loads((tmp_path / "e.json").read_text())
    assert report["kinks"] == [0.0] and report["relative_deviation"] < 1e-15
    assert plt.imread(tmp_path / "e.png").shape[0] > 100
    store.save(random_model((1, 3, 1), "tanh"), tmp_path / "tanh.model")
    assert main(["explain", str(tmp_path / "tanh.model")]) == 2
    assert capsys.readouterr().err.startswith("surefit: error: explain needs a piecewise-linear")


def test_cli_regions_picture(tmp_path):
    store.save(cone_model(), tmp_path / "cone.model")
    assert main(["explain", str(tmp_path / "cone.model"), "--domain", "-2:2", "--plot", str(tmp_path / "r.png")]) == 0
    assert plot_explanation(explain(cone_model()), tmp_path / "s.png").stat().st_size > 10_000


def test_unit_activity_bars_span_exactly_where_each_unit_is_active():
    x = np.random.default_rng(0).permutation(np.linspace(-1, 1, 201))  # unsorted on purpose
    active = np.stack([x > 0.2, np.abs(x) < 0.5, np.zeros_like(x, bool)], axis=1)
    fig, ax = plt.subplots()
    draw_unit_activity(ax, active, x)
    spans = [[tuple(np.round(p.get_extents().intervalx, 6)) for p in c.get_paths()] for c in ax.collections]
    assert spans[0] == [(0.205, 1.005)]  # from halfway past the last inactive point to the edge
    assert spans[1] == [(-0.495, 0.495)]
    assert spans[2] == []  # the dead unit has no bar ...
    assert any("dead" in t.get_text() for t in ax.texts)  # ... and says so
    fig, ax = plt.subplots()
    draw_unit_activity(ax, active)  # several inputs: the share of points
    assert [round(p.get_width(), 6) for p in ax.patches] == pytest.approx(active.mean(axis=0))
    plt.close("all")


@pytest.mark.parametrize("target, hidden", [("abs(x)", (2,)), ("sqrt(x**2 + y**2)", (3,)),
                                            ("x*y*z", (4,))])
def test_plot_fit_writes_a_report(tmp_path, target, hidden):
    result = surefit.fit(target, "-1:1", hidden=hidden, max_steps=30, candidates=2, points=300)
    image = plt.imread(plot_fit(result, tmp_path / "fit.png"))
    assert image.shape[0] > 400 and image.std() > 0.05


@pytest.mark.parametrize("y, hidden, units_title", [
    (lambda x: 2 * x + 0.1 * np.sin(9 * x), (), "no hidden units: a linear fit"),
    (lambda x: np.full_like(x, 2.5), (8,), "the hidden units are unused: the output bias alone fits a constant target"),
])
def test_a_linear_fit_and_a_constant_target_have_pictures(tmp_path, monkeypatch, y, hidden, units_title):
    x = np.linspace(-1, 1, 30)
    result = surefit.fit((x, y(x)), hidden=hidden)
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, format=None: figures.append(fig))
    plot_fit(result, tmp_path / "fit.png")
    titles = [ax.get_title() for ax in figures[0].axes]
    assert units_title in titles and "loss curve" in titles
    plt.close("all")


def test_a_plot_of_many_measured_rows_draws_the_network_over_a_few_thousand_of_them(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 12_000)
    result = surefit.fit((x, np.sin(2 * x) + 0.3 * rng.standard_normal(len(x))), hidden=4, activation="tanh",
                         candidates=1, max_steps=5)
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, format=None: figures.append(fig))
    plot_fit(result, tmp_path / "fit.png")
    fit = next(ax for ax in figures[0].axes if ax.get_ylabel() == result.problem.description)
    points = [c for c in fit.collections if isinstance(c, PathCollection)]  # the scatters, not the noise band
    assert sorted(len(c.get_offsets()) for c in points) == [1200, 1920]  # every 2nd of 2,400 held out, 5th of 9,600
    assert all(len(c.get_offsets()) <= SHOWN_POINTS for c in points)
    legend = [t.get_text() for t in fit.get_legend().get_texts()]
    assert "training points (1,920 of 9,600 shown)" in legend and "held-out points (1,200 of 2,400 shown)" in legend
    network = next(line for line in fit.get_lines() if line.get_label() == "network")
    assert network.get_zorder() > max(c.get_zorder() for c in points)  # the line is not hidden under them
    assert not any("dead" in ax.get_title() for ax in figures[0].axes)  # tanh units cannot die
    residual = next(ax for ax in figures[0].axes if ax.get_ylabel() == "target - network")
    assert not residual.xaxis.get_major_ticks()[0].label1.get_visible()  # x is labelled once, under the bars
    plt.close("all")


def test_a_plot_draws_the_rows_left_out_as_outliers_and_one_past_the_axes_on_their_edge(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    x = rng.uniform(-3, 3, 200)
    result = surefit.fit((x, np.sin(2 * x) + 0.1 * rng.standard_normal(200)), hidden=4, activation="tanh",
                         candidates=1, max_steps=5)
    far, near = [[-1.0], [2.0]], [300.0, 0.5]  # a slipped decimal point, and a row inside the axes
    result = replace(result, problem=set_aside(result.problem, np.array(far), np.array(near)))
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, format=None: figures.append(fig))
    plot_fit(result, tmp_path / "fit.png")
    for label in (result.problem.description, "target - network"):
        ax = next(ax for ax in figures[0].axes if ax.get_ylabel() == label)
        low, high = ax.get_ylim()
        assert -3 < low < high < 3  # scaled to the kept points, not to 300
        points = [c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)]
        assert any(np.allclose(p, [[-1.0, high]]) for p in points)  # the far row: a triangle on the top edge
    fit = next(ax for ax in figures[0].axes if ax.get_ylabel() == result.problem.description)
    assert any(np.allclose(c.get_offsets(), [[2.0, 0.5]]) for c in fit.collections if isinstance(c, PathCollection))
    assert "left out as outliers (2; a triangle: past the edge)" in [t.get_text() for t in fit.get_legend().get_texts()]
    plt.close("all")


def test_a_plot_of_measured_data_with_several_inputs_shows_both_sets_about_a_noise_band(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 2, (400, 2))
    result = surefit.fit((X, np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.05 * rng.standard_normal(400)), hidden=8,
                         activation="tanh", candidates=2, max_steps=20)
    result = replace(result, problem=set_aside(result.problem, np.zeros((1, 2)), np.array([-50.0])))
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, format=None: figures.append(fig))
    plot_fit(result, tmp_path / "fit.png")
    scatter = next(ax for ax in figures[0].axes if ax.get_ylabel() == "network")
    points = [c for c in scatter.collections if isinstance(c, PathCollection)]
    # every row, 20% held out; the row left out: one triangle (no ring inside, none past the right edge)
    assert sorted(len(c.get_offsets()) for c in points) == [0, 0, 1, 80, 320]
    legend = [t.get_text() for t in scatter.get_legend().get_texts()]
    assert legend[:2] == ["training points", "held-out points"]
    assert f"+- noise level ({result.noise_level:.3g})" in legend
    low, high = scatter.get_xlim()
    assert -3 < low < high < 3  # scaled to the kept targets: the one left out, -50, is a triangle on the left edge
    assert any(np.allclose(c.get_offsets(), [[low, result.predict(np.zeros((1, 2)))[0]]]) for c in points)
    plt.close("all")


@pytest.mark.parametrize("activation, title", [("tanh", "where each hidden unit responds\n(elsewhere saturated"),
                                               ("relu", "where each hidden unit is active (z > 0): 0 of 4 dead")])
def test_the_unit_bars_of_smooth_units_show_where_they_respond_not_where_z_is_positive(tmp_path, monkeypatch,
                                                                                     activation, title):
    rng = np.random.default_rng(3)
    x = rng.uniform(-3, 3, 200)
    result = surefit.fit((x, np.sin(2 * x) + 0.1 * rng.standard_normal(200)), hidden=4, activation=activation,
                         candidates=1, max_steps=5)
    W1, b1 = result.model.layers[0]  # scaled units: a tanh unit 8 times as steep is flat on most rows
    theta = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in [(8 * W1, 8 * b1), *result.model.layers[1:]]])
    model = Model.from_theta(result.model.net, theta, result.model.x_scaler, result.model.y_scaler,
                             result.model.variables)
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, format=None: figures.append(fig))
    plot_fit(replace(result, model=model), tmp_path / "fit.png")
    units = next(ax for ax in figures[0].axes if ax.get_title().startswith("where each hidden unit"))
    assert units.get_title().startswith(title)
    z = model.preactivations(result.problem.X_eval)[0]
    covered = [sum(p.get_extents().width for p in c.get_paths()) for c in units.collections]
    expected = np.abs(z) < 2.44 if activation == "tanh" else z > 0  # the share of x each bar spans, roughly
    np.testing.assert_allclose(np.array(covered) / 6, expected.mean(axis=0), atol=0.1)
    plt.close("all")


def test_a_loss_curve_within_a_factor_3_is_labelled_with_distinct_plain_numbers():
    fig, ax = plt.subplots()
    plots._loss(ax, [0.1110, 0.1126, 0.1120, 0.1105, 0.1108], ("LevenbergMarquardt",), penalised=True)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) >= 3 and len(set(labels)) == len(labels)  # was 0.111, 0.111, 0.112, ...
    assert ax.get_yscale() == "linear" and not ax.yaxis.get_offset_text().get_text()
    plt.close("all")


def test_two_measured_inputs_draw_the_network_over_the_rows_box_and_each_rows_residual(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    X = rng.uniform([-2, 10], [2, 30], (300, 2))
    result = surefit.fit((X, np.exp(-X[:, 0] ** 2) + 0.05 * rng.standard_normal(300)), hidden=4,
                         activation="tanh", candidates=1, max_steps=10)
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, format=None: figures.append(fig))
    plot_fit(result, tmp_path / "fit.png")
    network = next(ax for ax in figures[0].axes if ax.get_title().startswith("network; the training rows"))
    image = network.get_images()[0]
    (x0, y0), (x1, y1) = result.problem.X.min(axis=0), result.problem.X.max(axis=0)
    assert image.get_extent() == pytest.approx([x0, x1, y0, y1])  # the training rows' box
    corners = result.predict(np.array([[x0, y0], [x1, y1]]))  # oracle: the model at the box's corners
    assert image.get_array()[0, 0] == pytest.approx(corners[0])
    assert image.get_array()[-1, -1] == pytest.approx(corners[1])
    residual = next(ax for ax in figures[0].axes if ax.get_title() == "target - network at each training row")
    dots = residual.collections[0]
    np.testing.assert_allclose(dots.get_array(), result.problem.y - result.predict(result.problem.X))
    np.testing.assert_allclose(dots.get_offsets(), result.problem.X)
    plt.close("all")


def test_a_plot_of_noise_that_changes_along_the_input_draws_its_band_wider_there(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 500)
    y = np.sin(2 * x) + np.where(x < 0, 0.05, 0.2) * rng.standard_normal(500)
    result = surefit.fit((x, y), hidden=4, activation="tanh", candidates=1, max_steps=5)
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path, format=None: figures.append(fig))
    plot_fit(result, tmp_path / "fit.png")
    fit = next(ax for ax in figures[0].axes if ax.get_ylabel() == result.problem.description)
    legend = [t.get_text() for t in fit.get_legend().get_texts()]
    assert any(t.startswith("network +- noise level (") and t.endswith(", changing along x)") for t in legend), legend
    residual = next(ax for ax in figures[0].axes if ax.get_ylabel() == "target - network")
    band = residual.collections[0].get_paths()[0].vertices  # the band's outline: (x, +-level)
    left, right = (np.abs(band[:, 1][side]).max() for side in (band[:, 0] < -1, band[:, 0] > 1))
    assert right > 2 * left  # 4x the noise on the right
    plt.close("all")
