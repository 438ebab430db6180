"""FitSettings: the one declaration of every fit option (and StudySettings, MinimalSettings).

Each field carries its default, its constraint, its help text, how the command line
reads it, and whether `surefit study` can sweep it. Everything else is derived from
it: surefit.fit()'s keywords, Regressor's parameters and constraints, the flags of
`surefit fit` (and the sweeps of `surefit study`). A new option is one field here.
Settings check themselves when made, so a bad value fails at once, whatever the target.
This module imports no torch: the command line reads it to answer --help at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from numbers import Integral, Real
from typing import Any, Callable, ClassVar

from .activations import ACTIVATIONS, TRAINABLE
from .errors import SurefitError
from .registry import INITIALISERS, TRAINERS, Registry


# ---------------------------------------------------------------- constraints: (label, value) -> message or None

@dataclass(frozen=True)
class AtLeast:
    low: int

    def __call__(self, label: str, value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, Integral) or value < self.low:
            return f"{label} must be an integer of at least {self.low}, not {value!r}"
        return None


@dataclass(frozen=True)
class Positive:
    def __call__(self, label: str, value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
            return f"{label} must be a positive number, not {value!r}"
        return None


@dataclass(frozen=True)
class NotNegative:
    def __call__(self, label: str, value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, Real) or not value >= 0:
            return f"{label} must be a number of at least 0, not {value!r}"
        return None


@dataclass(frozen=True)
class Flag:
    def __call__(self, label: str, value) -> str | None:
        return None if isinstance(value, bool) else f"{label} must be yes or no (True or False), not {value!r}"


@dataclass(frozen=True)
class Between:
    """A number in (low, high]."""
    low: float
    high: float

    def __call__(self, label: str, value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, Real) or not self.low < value <= self.high:
            return f"{label} must be a number in ({self.low:g}, {self.high:g}], not {value!r}"
        return None


@dataclass(frozen=True)
class OneOf:
    names: tuple[str, ...]
    kind: str

    def __call__(self, label: str, value) -> str | None:
        if value not in self.names:
            return f"unknown {self.kind} {value!r}; choose one of {', '.join(self.names)}"
        return None


@dataclass(frozen=True)
class HiddenActivation(OneOf):
    def __call__(self, label: str, value) -> str | None:
        row = ACTIVATIONS.get(value)
        if row is not None and not row.trainable and row.refused_output:
            return f"{value!r} is not a hidden activation: {row.refused_output}"
        return super().__call__(label, value)


@dataclass(frozen=True)
class Widths:
    def __call__(self, label: str, value) -> str | None:
        if any(isinstance(w, bool) or not isinstance(w, Integral) or w < 1 for w in value):
            return f"hidden widths must be positive integers, not {list(value)}"
        return None


def one_of(registry: Registry) -> OneOf:
    return OneOf(registry.names, registry.kind)


# ---------------------------------------------------------------- how the command line reads a value

def widths(text: str) -> tuple[int, ...]:
    """'45,45' -> (45, 45): the widths of the hidden layers, first to last; 'none' -> () (linear)."""
    if text.strip() == "none":
        return ()
    try:
        values = tuple(int(w) for w in text.split(",") if w.strip() != "")
    except ValueError:
        raise SurefitError(f"hidden widths must be comma-separated integers, not {text!r}") from None
    if not values:
        raise SurefitError("give at least one hidden width, e.g. 8 or 45,45")
    return values


def yes_no(text: str) -> bool:
    if text not in ("yes", "no"):
        raise SurefitError(f"expected yes or no, not {text!r}")
    return text == "yes"


def optional(parse: Callable, none: str, what: str = "a number") -> Callable:
    """A reader that takes the word `none` (e.g. 'never', 'auto') as None; `what` names the values
    `parse` takes, for the error."""
    def read(text: str):
        if text == none:
            return None
        try:
            return parse(text)
        except ValueError:  # SurefitError too: the reader's words, with the word for None
            raise SurefitError(f"expected {what} or {none!r}, not {text!r}") from None
    return read


def option(default: Any, help: str, *, check: Callable | None = None, parse: Callable = str,
           none: str | None = None, sweep: bool = False, many: bool = False) -> Any:
    """A field of a settings dataclass. none: what None means, in the word the command line takes
    for it; sweep: `surefit study` can try several values; many: the value is a tuple of several."""
    return field(default=default, metadata={"help": help, "check": check, "parse": parse, "none": none,
                                            "sweep": sweep, "many": many})


def check_fields(settings) -> None:
    """Check every field of a settings dataclass made of option()s; one line for the first bad one."""
    for f in fields(settings):
        value, check = getattr(settings, f.name), f.metadata["check"]
        if value is None and f.metadata["none"] is not None:
            continue
        values = value if f.metadata["many"] else (value,)
        if f.metadata["many"] and not values:
            raise SurefitError(f"{f.name} needs at least one value")
        for v in values:
            message = check(f.name, v) if check else None
            if message:
                raise SurefitError(message)


# ---------------------------------------------------------------- the declaration

@dataclass(frozen=True)
class FitSettings:
    hidden: tuple[int, ...] = option(
        (8,), "hidden layer widths, e.g. 2 or 45,45 (none: a linear fit)", check=Widths(), parse=widths, sweep=True)
    activation: str = option(
        "relu", f"hidden units' activation: {', '.join(TRAINABLE)}",
        check=HiddenActivation(TRAINABLE, "activation"), sweep=True)
    init: str = option(
        "auto", f"initialiser: {', '.join(INITIALISERS.names)}", check=one_of(INITIALISERS), sweep=True)
    trainer: str = option(
        "auto", f"trainer: {', '.join(TRAINERS.names)}", check=one_of(TRAINERS), sweep=True)
    candidates: int | None = option(
        None, "networks trained side by side from different starts, the best kept; auto: by network "
              "size (16 up to 50 parameters, 8 up to 200, 2 up to 800, then 1)",
        check=AtLeast(1), parse=optional(int, "auto"), none="auto", sweep=True)
    seed: int = option(0, "random seed (sampling, initialisation, revival)", check=AtLeast(0), parse=int)
    tol: float = option(
        1e-7, "training stops when the training relative RMSE reaches this", check=Positive(), parse=float)
    max_steps: int | None = option(
        None, "step limit of each trainer; auto: the trainer's own", check=AtLeast(1),
        parse=optional(int, "auto"), none="auto", sweep=True)
    revive_every: int | None = option(
        20, "steps between revivals of dead units during the first half of training; never: no revival",
        check=AtLeast(1), parse=optional(int, "never"), none="never", sweep=True)
    alpha: float | None = option(
        None, "weight penalty (alpha |w|^2 against the squared error, in scaled units); auto: for measured "
              "data (arrays, CSV) chosen by Bayesian regularisation, none for formulas; 0: off",
        check=NotNegative(), parse=optional(float, "auto"), none="auto", sweep=True)
    unit_penalties: bool | None = option(
        None, "each hidden unit's weights carry their own penalty, chosen by the evidence with the rest (a prior "
              "that keeps a few large units for a kink or a jump and prunes the others); auto: for measured data on "
              "a network of one hidden layer that Levenberg-Marquardt trains, fitted with and without, and the fit "
              "that generalised cross-validation prefers kept (yes, no or auto)",
        check=Flag(), parse=optional(yes_no, "auto", "yes, no"), none="auto", sweep=True)
    early_stopping: bool = option(
        False, "hold out a validation share of the training rows: each candidate stops where its validation "
               "error is lowest, and the lowest picks the candidate (yes or no)",
        check=Flag(), parse=yes_no, sweep=True)
    validation_fraction: float = option(
        0.1, "share of the training rows held out for early stopping", check=Between(0, 0.5), parse=float)
    keep_outliers: bool = option(
        False, "keep the training rows of measured data that lie far from the network and outside their "
               "neighbours' targets (no: fit again without them, and name them) (yes or no)",
        check=Flag(), parse=yes_no)

    def __post_init__(self):
        if isinstance(self.hidden, Integral) and not isinstance(self.hidden, bool):
            object.__setattr__(self, "hidden", (self.hidden,))
        elif not isinstance(self.hidden, tuple):
            try:
                object.__setattr__(self, "hidden", tuple(self.hidden))
            except TypeError:
                raise SurefitError(f"hidden widths must be positive integers, not {self.hidden!r}") from None
        check_fields(self)


OPTIONS = {f.name: f for f in fields(FitSettings)}
SWEEPABLE = tuple(name for name, f in OPTIONS.items() if f.metadata["sweep"])


def settings_of(options: dict) -> FitSettings:
    """FitSettings from keyword options, with one line for a name that is not an option."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise SurefitError(f"unknown fit option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                           f"the options are {', '.join(OPTIONS)}")
    return FitSettings(**options)


# ------------------------------------------------------- what a study and a search for the smallest network add

THRESHOLD_HELP = ("a seed succeeds when its held-out relative RMSE is at most this (auto: {:g} for an expression; for "
                  "data with one input, when its held-out error is at the estimated noise level, as the fit's sentence "
                  "says; with several, within what the held-out rows can tell of a 64-unit network's)")


@dataclass(frozen=True)
class StudySettings:
    EXPRESSION_THRESHOLD: ClassVar[float] = 1e-2  # what threshold auto means for an expression
    threshold: float | None = option(None, THRESHOLD_HELP.format(EXPRESSION_THRESHOLD), check=Positive(),
                                     parse=optional(float, "auto"), none="auto")
    seeds: int = option(200, "seeds per configuration", check=AtLeast(1), parse=int)

    def __post_init__(self):
        check_fields(self)


@dataclass(frozen=True)
class MinimalSettings:
    EXPRESSION_THRESHOLD: ClassVar[float] = 1e-3
    threshold: float | None = option(None, THRESHOLD_HELP.format(EXPRESSION_THRESHOLD), check=Positive(),
                                     parse=optional(float, "auto"), none="auto")
    depths: tuple[int, ...] = option((1,), "hidden-layer counts to search, each layer of the searched width",
                                     check=AtLeast(1), parse=int, many=True)
    seeds: int = option(50, "seeds per width tried", check=AtLeast(1), parse=int)
    required: float = option(0.95, "share of seeds that must succeed", check=Between(0, 1), parse=float)
    max_width: int = option(256, "the widest width to try", check=AtLeast(1), parse=int)

    def __post_init__(self):
        object.__setattr__(self, "depths", tuple(self.depths))
        check_fields(self)
