"""FitSettings is the one declaration of every fit option: the estimator's parameters, the
command line's flags (with their defaults) and a study's sweeps are derived from it, and every
option checks its value when the settings are made."""
import argparse
import re
from dataclasses import dataclass, fields

import pytest

import surefit
from surefit.cli import main
from surefit.cli.options import add_settings, flag, settings_from, shown
from surefit.errors import SurefitError
from surefit.settings import OPTIONS, SWEEPABLE, AtLeast, FitSettings, check_fields, option, settings_of

# A bad value for every option. A new option must add one here: the test below fails until it does.
BAD = {"hidden": (0,), "activation": "softmax", "init": "foo", "trainer": "foo", "candidates": 0, "seed": -1,
       "tol": 0.0, "max_steps": 0, "revive_every": 0, "alpha": -1.0, "unit_penalties": "yes",
       "early_stopping": "yes",
       "validation_fraction": 0.9, "keep_outliers": "no"}


def help_text(capsys, command: str) -> str:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines anywhere


def test_the_estimator_takes_every_option_with_its_default_and_constraint():
    params = surefit.Regressor().get_params()
    assert set(params) == set(OPTIONS)
    assert all(params[name] == f.default for name, f in OPTIONS.items())
    assert set(surefit.Regressor._parameter_constraints) == set(OPTIONS)


def test_fit_has_a_flag_for_every_option_with_its_default(capsys):
    text = help_text(capsys, "fit")
    for f in fields(FitSettings):
        assert f"{flag(f.name)} {f.name.upper()}" in text, f.name
        assert f"(default {shown(f)})" in text, f.name
    assert "(yes or no) (default no)" in text and "(default False)" not in text  # what --early-stopping reads


def test_study_sweeps_every_sweepable_option(capsys):
    text = help_text(capsys, "study")
    assert SWEEPABLE and set(SWEEPABLE) < set(OPTIONS)
    for name in SWEEPABLE:
        assert re.search(re.escape(flag(name)) + r" [A-Z_]+ \[[A-Z_]+ \.\.\.\]", text), name


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_a_bad_value_fails_when_the_settings_are_made(name):
    assert set(BAD) == set(OPTIONS), "give the new option a bad value in BAD"
    with pytest.raises(SurefitError) as caught:
        FitSettings(**{name: BAD[name]})
    assert "\n" not in str(caught.value) and str(caught.value)
    # the estimator, at fit: sklearn's InvalidParameterError (a ValueError), as its contract asks
    with pytest.raises(ValueError, match=name):
        surefit.Regressor(**{name: BAD[name]}).fit([[0.0], [1.0]], [0.0, 1.0])


def test_an_unknown_option_is_named():
    with pytest.raises(SurefitError, match="unknown fit option hiden; the options are hidden, activation"):
        settings_of({"hiden": 3})


@dataclass(frozen=True)
class Toy:
    """A settings class with one new option, declared in one line as FitSettings' are."""
    width: int = option(3, "how wide", check=AtLeast(1), parse=int, sweep=True)

    def __post_init__(self):
        check_fields(self)


def test_a_new_option_is_one_field():
    parser = argparse.ArgumentParser()
    add_settings(parser, Toy)
    assert "(default 3)" in parser.format_help()
    assert settings_from(parser.parse_args(["--width", "5"]), Toy) == Toy(width=5)
    assert settings_from(parser.parse_args([]), Toy) == Toy()
    with pytest.raises(SurefitError, match="width must be an integer of at least 1, not 0"):
        settings_from(parser.parse_args(["--width", "0"]), Toy)


@pytest.mark.parametrize("name, text, value", [("alpha", "auto", None), ("alpha", "0.5", 0.5),
                                               ("unit_penalties", "auto", None), ("unit_penalties", "yes", True),
                                               ("unit_penalties", "no", False)])
def test_an_option_with_a_word_for_none_reads_it_and_its_values(name, text, value):
    assert OPTIONS[name].metadata["parse"](text) == value


@pytest.mark.parametrize("name, text, words", [("alpha", "x", "expected a number or 'auto', not 'x'"),
                                               ("unit_penalties", "maybe", "expected yes, no or 'auto', not 'maybe'")])
def test_an_option_with_a_word_for_none_names_what_it_takes(name, text, words):
    with pytest.raises(SurefitError) as caught:
        OPTIONS[name].metadata["parse"](text)
    assert str(caught.value) == words
