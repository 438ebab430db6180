"""The names a user types for the pluggable pieces, and where each piece's code lives.

Settings and the command line know every name, with a line of help, without importing
the code behind it (torch and friends take seconds to import): a name maps to
"module:attribute", imported the first time the piece is used.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Registry:
    kind: str  # "init", "trainer": for messages
    entries: dict[str, tuple[str, str]]  # name -> ("module:attribute", help)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.entries)

    def help(self, name: str) -> str:
        return self.entries[name][1]

    def load(self, name: str):
        module, attribute = self.entries[name][0].split(":")
        return getattr(importlib.import_module(module), attribute)


INITIALISERS = Registry("init", {
    "auto": ("surefit.plan:initialiser_for", "data, except he (relu) or glorot where L-BFGS starts a network of "
                                             "over 800 parameters on measured data"),
    "data": ("surefit.init:data_aware", "kinks where the target bends, facing both ways; output by least squares"),
    "he": ("surefit.init:he", "He normal weights, zero biases"),
    "glorot": ("surefit.init:glorot", "Keras's Dense default: Glorot uniform, zero biases"),
    "naive": ("surefit.init:naive", "PyTorch's nn.Linear default: uniform +-1/sqrt(fan_in)"),
})
TRAINERS = Registry("trainer", {
    "auto": ("surefit.plan:auto_trainer", "lm up to 800 parameters; above, lm-cg from the data init, "
                                          "else adam+lbfgs"),
    "lm": ("surefit.plan:levenberg_marquardt", "Levenberg-Marquardt with variable projection"),
    "lm-cg": ("surefit.plan:conjugate_gradient_lm", "lm with its linear system solved by conjugate gradients "
                                                    "(J^T J never formed): for big networks"),
    "adam": ("surefit.plan:adam", "Adam, full batch, cosine learning rate"),
    "lbfgs": ("surefit.plan:lbfgs", "L-BFGS with a backtracking line search"),
    "adam+lbfgs": ("surefit.plan:adam_then_lbfgs", "Adam, then L-BFGS from where it stopped"),
})
FORMATS = Registry("export format", {
    "onnx": ("surefit.exporters.onnx:write", "an ONNX graph (opset 17)"),
    "c": ("surefit.exporters.c:write", "one C99 function in a .h/.c pair"),
    "numpy": ("surefit.exporters.numpy:write", "a standalone Python module needing only numpy"),
})
