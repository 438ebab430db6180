"""surefit.Regressor: the scikit-learn contract, pipelines, and agreement with surefit.fit."""
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import surefit
from surefit.estimator import Regressor
from surefit.trainers import Status

SMALL = dict(hidden=(4,), max_steps=30, candidates=2)


@parametrize_with_checks([Regressor(**SMALL)])
def test_sklearn_contract(estimator, check):
    check(estimator)


def plane_with_kinks(X):
    """Exactly a 3-unit ReLU network: what a 4-unit Regressor must reproduce."""
    return np.maximum(X[:, 0], 0) - 2 * np.maximum(-X[:, 1], 0) + 0.3 * X[:, 2]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(300, 3)) * [1, 10, 100]  # columns in very different units
    return X, plane_with_kinks(X)


def test_pipeline_with_standard_scaler_reproduces_the_function(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), Regressor(hidden=(4,))).fit(X, y)
    X_new = np.random.default_rng(1).uniform(-2.5, 2.5, size=(500, 3)) * [1, 10, 100]
    exact = plane_with_kinks(X_new)
    rel = np.sqrt(np.mean((pipe.predict(X_new) - exact) ** 2)) / exact.std()
    assert rel < 1e-3
    assert pipe.score(X_new, exact) > 1 - 1e-6


def test_cross_val_score_and_grid_search(data):
    X, y = data
    scores = cross_val_score(Regressor(hidden=(4,), max_steps=100), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.999
    search = GridSearchCV(Regressor(max_steps=100), {"hidden": [(1,), (4,)]}, cv=3).fit(X, y)
    assert search.best_params_ == {"hidden": (4,)}  # one unit cannot make two kinks
    assert search.cv_results_["mean_test_score"][0] < 0.99


def test_predictions_match_surefit_fit_on_the_same_data_and_seed(data):
    X, y = data
    settings = dict(hidden=(3,), activation="tanh", candidates=3, seed=7, max_steps=40)
    est = Regressor(**settings).fit(X, y)
    result = surefit.fit((X, y), holdout=0, **settings)
    np.testing.assert_array_equal(est.predict(X), result.predict(X))
    np.testing.assert_array_equal(est.model_.theta, result.model.theta)
    assert est.loss_curve_ == result.history and est.status_ is result.status
    assert est.n_features_in_ == 3 and est.result_.candidates == 3


def test_int_hidden_is_one_layer(data):
    X, y = data
    assert Regressor(hidden=5, max_steps=5).fit(X, y).model_.net.hidden == (5,)


def test_learned_attributes_describe_the_fit(data):
    X, y = data
    est = Regressor(hidden=(4,), max_steps=25, alpha=0).fit(X, y)
    assert isinstance(est.status_, Status)
    assert len(est.loss_curve_) == len(est.result_.history) <= 25
    assert all(np.isfinite(est.loss_curve_))
    assert np.all(np.diff(est.loss_curve_) <= 0)  # with a fixed objective LM keeps only improving steps
    # by default the penalty is re-chosen as it goes, so the objective itself moves; it still ends lower
    curve = Regressor(hidden=(4,), max_steps=25).fit(X, y).loss_curve_
    assert all(np.isfinite(curve)) and curve[-1] < curve[0]


def test_noise_level_and_effective_parameters_are_learned_attributes():
    rng = np.random.default_rng(3)
    X = rng.uniform(-3, 3, (300, 1))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.standard_normal(300)
    est = Regressor(hidden=(8,), activation="tanh").fit(X, y)
    assert est.noise_level_ == est.result_.noise_level and abs(est.noise_level_ / 0.1 - 1) < 0.3  # oracle: sigma
    assert est.effective_parameters_ == est.result_.effective_parameters < est.result_.n_params
    assert Regressor(hidden=(8,), alpha=0.0, max_steps=5).fit(X, y).effective_parameters_ is None  # penalty given


def test_constant_target_says_so():
    X = np.linspace(0, 1, 20)[:, None]
    est = Regressor(hidden=(2,)).fit(X, np.full(20, 4.5))
    assert est.status_ is Status.CONSTANT
    np.testing.assert_allclose(est.predict(np.array([[-3.0], [0.5], [9.0]])), 4.5)


@pytest.mark.parametrize("params", [dict(hidden=(0,)), dict(hidden=(4, -1)), dict(activation="softmax"),
                                    dict(init="zeros"), dict(trainer="sgd"), dict(candidates=0),
                                    dict(tol=0.0), dict(max_steps=0), dict(seed=-1)])
def test_bad_parameters_raise_before_fitting(params, data):
    X, y = data
    with pytest.raises(ValueError):
        Regressor(**params).fit(X, y)


def test_bad_arrays_get_sklearns_messages(data):
    X, y = data
    with pytest.raises(ValueError, match="NaN"):
        Regressor().fit(np.where(X == X[3, 1], np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Regressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        Regressor().fit(X[:1], y[:1])
    fitted = Regressor(hidden=(2,), max_steps=3).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features"):
        fitted.predict(X[:, :2])


def test_a_data_frame_s_column_names_name_the_inputs():
    import pandas as pd  # the test extra's: a data frame is how most scikit-learn users pass X
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(-3, 3, (200, 2)), columns=["temperature", "pressure"])
    y = np.sin(X["temperature"]) + 0.05 * rng.standard_normal(200)  # pressure unused
    reg = Regressor(hidden=4, activation="tanh").fit(X, y)
    assert list(reg.feature_names_in_) == ["temperature", "pressure"]
    assert reg.model_.variables == ("temperature", "pressure")
    influence = reg.result_.influence  # measured 1.27 and 0.010: the margin is wide, the names are the point
    assert list(influence) == ["temperature", "pressure"] and influence["temperature"] > 10 * influence["pressure"]
    assert surefit.fit((X, y), hidden=4, activation="tanh").model.variables == ("temperature", "pressure")
    unnamed = pd.DataFrame(X.to_numpy())  # integer column names: the defaults, as scikit-learn does
    assert Regressor(hidden=2, max_steps=5).fit(unnamed, y).model_.variables == ("x", "y")
