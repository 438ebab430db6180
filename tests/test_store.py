"""Save and load: a round trip predicts identically; anything that is not our file is refused."""
import numpy as np
import pytest
import torch
from safetensors.numpy import save_file

import surefit
from surefit import store
from surefit.errors import SurefitError


@pytest.fixture(scope="module")
def result():
    return surefit.fit("sqrt(x**2 + y**2)", ["x=-2:3", "y=10:20"], hidden=(4, 3), activation="tanh",
                       candidates=2, max_steps=20, points=300)


def test_round_trip_predicts_identically(result, tmp_path):
    path = store.save(result, tmp_path / "m.sft")
    model = store.load(path)
    X = np.random.default_rng(0).uniform([-2, 10], [3, 20], size=(500, 2))
    np.testing.assert_array_equal(model.predict(X), result.predict(X))
    assert model.net == result.model.net and model.variables == ("x", "y")
    assert model.x_scaler == result.model.x_scaler and model.y_scaler == result.model.y_scaler
    np.testing.assert_array_equal(model.theta, result.model.theta)


def test_a_model_saves_like_its_result(result, tmp_path):
    store.save(result.model, tmp_path / "a.sft")
    store.save(result, tmp_path / "b.sft")
    assert (tmp_path / "a.sft").read_bytes() == (tmp_path / "b.sft").read_bytes()


def test_save_overwrites_and_leaves_no_temporary_files(result, tmp_path):
    path = tmp_path / "m.sft"
    path.write_text("old")
    store.save(result, path)
    assert store.load(path).net == result.model.net
    assert [p.name for p in tmp_path.iterdir()] == ["m.sft"]


def refused(path):
    with pytest.raises(SurefitError, match="not a surefit model|no model file"):
        store.load(path)


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.sft"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    refused(path)


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.sft").write_bytes(b"")
    refused(tmp_path / "empty.sft")
    refused(tmp_path / "missing.sft")
    refused(tmp_path)  # a directory


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.99])
def test_truncated_file(result, tmp_path, keep):
    path = store.save(result, tmp_path / "m.sft")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    refused(path)


def test_corrupt_header(result, tmp_path):
    path = store.save(result, tmp_path / "m.sft")
    data = bytearray(path.read_bytes())
    at = data.index(b'"hidden')
    data[at: at + 7] = b'"hXdden'  # still valid JSON; the settings are gone
    path.write_bytes(bytes(data))
    refused(path)
    data = bytearray(path.read_bytes())
    data[8:16] = b"{{{{{{{{"  # the header is no longer JSON
    path.write_bytes(bytes(data))
    refused(path)


def test_foreign_safetensors_file_without_surefit_metadata(tmp_path):
    path = tmp_path / "foreign.safetensors"
    save_file({"theta": np.zeros(13)}, str(path))
    refused(path)
    save_file({"weight": np.zeros((3, 3))}, str(path), metadata={"format": "pt"})
    refused(path)


def test_surefit_metadata_that_does_not_match_the_weights(result, tmp_path):
    path = store.save(result, tmp_path / "m.sft")
    from safetensors import safe_open
    with safe_open(str(path), framework="numpy") as f:
        metadata = f.metadata()
    save_file({"theta": np.zeros(5)}, str(path), metadata=metadata)  # 5 weights for a 4,3 net
    with pytest.raises(SurefitError, match="do not match"):
        store.load(path)
    save_file({"theta": np.zeros(5)}, str(path), metadata={"surefit": metadata["surefit"].replace(
        "surefit-model/1", "surefit-model/99")})
    refused(path)


def test_a_pickle_is_refused_and_never_run(tmp_path):
    path = tmp_path / "evil.pt"
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))
    torch.save({"theta": Evil()}, path)
    refused(path)
    assert not marker.exists()


def test_a_failing_save_leaves_no_file(result, tmp_path, monkeypatch):
    def broken(tensors, filename, metadata=None):
        open(filename, "wb").write(b"partial")
        raise OSError("disk full")
    monkeypatch.setattr(store, "save_file", broken)
    with pytest.raises(OSError):
        store.save(result, tmp_path / "m.sft")
    assert list(tmp_path.iterdir()) == []


def test_writing_into_a_missing_directory_is_a_surefit_error(result, tmp_path):
    with pytest.raises(SurefitError, match="no directory"):
        store.save(result, tmp_path / "nope" / "m.sft")


def tampered(result, tmp_path, **changes):
    """The result's model file with some header fields changed or its weights replaced."""
    import json
    meta = {"format": store.FORMAT, "n_inputs": 2, "hidden": [4, 3], "activation": "tanh",
            "x_scaler": result.model.x_scaler.to_dict(), "y_scaler": result.model.y_scaler.to_dict(),
            "variables": ["x", "y"]}
    theta = changes.pop("theta", result.model.theta)
    meta.update(changes)
    path = tmp_path / "tampered.sft"
    save_file({"theta": np.asarray(theta, dtype=np.float64)}, str(path), metadata={"surefit": json.dumps(meta)})
    return path


@pytest.mark.parametrize("changes,message", [
    (dict(activation="os.system"), "activation 'os.system' is not one of"),
    (dict(hidden=[4, 0]), "empty layer"),
    (dict(theta="nan"), "1 of its weights are not finite"),
    (dict(y_scaler={"offset": [1.0], "scale": [0.0]}), "target scaler.*scales positive"),
    (dict(x_scaler={"offset": [0.0], "scale": [1.0]}), "input scaler has 1 offsets"),
    (dict(variables=["x"]), "names 1 variables for 2 inputs"),
])
def test_a_tampered_file_is_refused_when_loaded(result, tmp_path, changes, message):
    if changes.get("theta") == "nan":
        theta = result.model.theta.copy()
        theta[3] = np.nan
        changes["theta"] = theta
    with pytest.raises(SurefitError, match=f"is not a usable surefit model: .*{message}"):
        store.load(tampered(result, tmp_path, **changes))
    assert store.load(tampered(result, tmp_path)).net == result.model.net  # the untampered file loads


@pytest.fixture(scope="module")
def measured():
    """A fit of noisy measurements: its model keeps what its error bars need."""
    x = np.random.default_rng(1).uniform(-3, 3, 150)
    y = np.sin(2 * x) + np.random.default_rng(2).normal(0, 0.1, 150)
    return surefit.fit((x, y), hidden=4, activation="tanh", holdout=0, max_steps=30)


def test_a_model_of_measured_data_keeps_its_error_bars(measured, tmp_path):
    model = store.load(store.save(measured, tmp_path / "m.sft"))
    grid = np.linspace(-4, 4, 50)
    np.testing.assert_array_equal(model.error_bars(grid), measured.error_bars(grid))  # the same numbers, every bit
    assert model.noise_level == pytest.approx(measured.noise_level, rel=1e-12)
    assert model.posterior.rows == 150 and model.posterior.inputs.shape == (150, 1)


def test_a_formula_s_model_keeps_none(result, tmp_path):
    assert store.load(store.save(result, tmp_path / "m.sft")).posterior is None


@pytest.mark.parametrize("change,message", [
    (dict(penalty=np.full(3, 1.0)), r"penalties \(shape \(3,\)\) do not match its 13 weights"),
    (dict(penalty="negative"), "penalties finite and not negative"),
    (dict(inputs=np.zeros((5, 2))), r"rows \(shape \(5, 2\)\) do not match its 1 input"),
    (dict(rows=3), r"rows \(shape \(150, 1\)\) do not match"),
    (dict(sigma=0.0), "noise level 0.0 is not a positive number"),
])
def test_tampered_error_bars_are_refused_when_loaded(measured, tmp_path, change, message):
    import json
    from safetensors import safe_open
    from safetensors.numpy import load_file
    path = store.save(measured, tmp_path / "m.sft")
    with safe_open(str(path), framework="numpy") as f:
        meta = json.loads(f.metadata()["surefit"])
    tensors = load_file(str(path))
    if isinstance(change.get("penalty"), str):
        change["penalty"] = -tensors["posterior_penalty"]
    tensors.update({f"posterior_{k}": v for k, v in change.items() if k in ("penalty", "inputs")})
    meta["posterior"].update({k: v for k, v in change.items() if k in ("rows", "sigma")})
    save_file(tensors, str(path), metadata={"surefit": json.dumps(meta)})
    with pytest.raises(SurefitError, match=f"is not a usable surefit model: .*{message}"):
        store.load(path)


@pytest.fixture(scope="module")
def uneven():
    """Noise 4x as large right of x = 0: the model keeps its profile along x."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 500)
    y = np.sin(2 * x) + np.where(x < 0, 0.05, 0.2) * rng.standard_normal(500)
    return surefit.fit((x, y), hidden=4, activation="tanh", max_steps=20, candidates=2)


def test_a_model_keeps_where_the_noise_is_larger(uneven, measured, tmp_path):
    model = store.load(store.save(uneven, tmp_path / "m.sft"))
    grid = np.linspace(-4, 4, 50)
    np.testing.assert_array_equal(model.noise_at(grid), uneven.noise_at(grid))
    quiet, loud = model.noise_at(np.array([-2.0, 2.0]))
    assert 2 < loud / quiet < 8  # 4x
    assert store.load(store.save(measured, tmp_path / "e.sft")).noise_profile is None  # even noise: one level


@pytest.mark.parametrize("change,message", [
    (lambda t: {"noise_x": t["noise_x"][::-1].copy()}, "x must be finite and increasing"),
    (lambda t: {"noise_level": -t["noise_level"]}, "levels finite and not negative"),
    (lambda t: {"noise_level": t["noise_level"][:5].copy()}, r"shapes \(200,\) and \(5,\)"),
])
def test_a_tampered_noise_profile_is_refused_when_loaded(uneven, tmp_path, change, message):
    import json
    from safetensors import safe_open
    from safetensors.numpy import load_file
    path = store.save(uneven, tmp_path / "m.sft")
    with safe_open(str(path), framework="numpy") as f:
        metadata = f.metadata()
    tensors = load_file(str(path))
    tensors.update(change(tensors))
    save_file(tensors, str(path), metadata=metadata)
    with pytest.raises(SurefitError, match=f"is not a usable surefit model: .*{message}"):
        store.load(path)
    assert json.loads(metadata["surefit"])["format"] == store.FORMAT
