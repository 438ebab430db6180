"""How a model is trained, as far as the doctor can tell: its loss, optimiser, learning rate,
dropout and weight penalties.

A compiled Keras model carries all of it (model.loss, model.optimizer, each layer's
config); a PyTorch model carries only its Dropout modules, so the loss and optimiser come
from the user (doctor(..., loss=nn.MSELoss(), optimizer=opt) or watch(...)). Anything
unknown stays None and the checks that need it stay silent.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# the loss kinds the checks tell apart, by the names Keras and PyTorch give them
LOSS_KINDS = {
    "mse": "mse", "mean_squared_error": "mse", "meansquarederror": "mse", "mseloss": "mse",
    "mae": "mae", "mean_absolute_error": "mae", "meanabsoluteerror": "mae", "l1loss": "mae",
    "huber": "huber", "huberloss": "huber", "smoothl1loss": "huber", "log_cosh": "huber", "logcosh": "huber",
    "msle": "msle", "mean_squared_logarithmic_error": "msle", "meansquaredlogarithmicerror": "msle",
    "mape": "mape", "mean_absolute_percentage_error": "mape", "meanabsolutepercentageerror": "mape",
    "binary_crossentropy": "bce", "binarycrossentropy": "bce", "bceloss": "bce",
    "bcewithlogitsloss": "bce_logits", "binary_focal_crossentropy": "bce", "binaryfocalcrossentropy": "bce",
    "hinge": "hinge", "squared_hinge": "hinge", "hingeembeddingloss": "hinge",
    "categorical_crossentropy": "cce", "categoricalcrossentropy": "cce", "crossentropyloss": "cce",
    "sparse_categorical_crossentropy": "cce", "sparsecategoricalcrossentropy": "cce", "nllloss": "cce",
    "poisson": "poisson", "poissonnllloss": "poisson", "kl_divergence": "kl", "kldivloss": "kl",
}
CLASSIFICATION_LOSSES = ("bce", "bce_logits", "hinge", "cce")  # losses that treat the target as labels


@dataclass(frozen=True)
class Setup:
    loss: str | None = None           # one of LOSS_KINDS' values
    loss_name: str | None = None      # as the user named it
    optimizer: str | None = None      # the optimiser's class name: "SGD", "Adam", ...
    learning_rate: float | None = None
    momentum: float | None = None
    weight_decay: float | None = None  # PyTorch optimisers' decoupled or L2 decay
    dropout: tuple[tuple[int, float], ...] = ()  # (dense layers before it, rate): 0 = on the inputs
    penalties: tuple[tuple[int, float, float], ...] = field(default=())  # (dense layer, l1, l2), 0-based

    @property
    def classification(self) -> bool:
        return self.loss in CLASSIFICATION_LOSSES

    def merged(self, other: "Setup") -> "Setup":
        """This setup with the fields `other` knows filled in (what the user said wins)."""
        values = {k: getattr(other, k) if getattr(other, k) not in (None, ()) else getattr(self, k)
                  for k in self.__dataclass_fields__}
        return Setup(**values)


def loss_setup(loss) -> Setup:
    """A Setup with the loss of a Keras string / Loss object / function or a torch loss module."""
    if loss is None:
        return Setup()
    if isinstance(loss, (list, tuple, dict)) and len(loss) == 1:  # Keras allows one loss per output
        loss = next(iter(loss.values())) if isinstance(loss, dict) else loss[0]
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or \
        getattr(loss, "__name__", None) or type(loss).__name__
    kind = LOSS_KINDS.get(str(name).lower()) or LOSS_KINDS.get(type(loss).__name__.lower())
    if kind == "bce" and getattr(loss, "get_config", None) and loss.get_config().get("from_logits"):
        kind = "bce_logits"
    return Setup(loss=kind, loss_name=str(name))


def optimizer_setup(optimizer) -> Setup:
    """A Setup with what a Keras or torch optimiser says of its steps."""
    if optimizer is None:
        return Setup()
    name = type(optimizer).__name__
    if hasattr(optimizer, "param_groups"):  # torch.optim
        group = optimizer.param_groups[0]
        momentum = group.get("momentum", group.get("betas", (None,))[0])
        return Setup(optimizer=name, learning_rate=_number(group.get("lr")), momentum=_number(momentum),
                     weight_decay=_number(group.get("weight_decay")))
    rate = getattr(optimizer, "learning_rate", None)
    if callable(rate) and not hasattr(rate, "numpy"):  # a schedule: its first value
        rate = rate(0)
    return Setup(optimizer=name, learning_rate=_number(rate), momentum=_number(getattr(optimizer, "momentum", None)))


def keras_setup(model, layers) -> Setup:
    """What a Keras model records of its training: compiled loss and optimiser, dropout layers,
    kernel penalties. `layers` are its leaf layers in order."""
    dropout, penalties, dense = [], [], 0
    for layer in layers:
        kind = type(layer).__name__
        if kind in ("Dropout", "AlphaDropout", "GaussianDropout") and layer.get_config().get("rate"):
            dropout.append((dense, float(layer.get_config()["rate"])))
        elif kind == "Dense":
            l1, l2 = _penalty(getattr(layer, "kernel_regularizer", None))
            if l1 or l2:
                penalties.append((dense, l1, l2))
            dense += 1
    compiled = getattr(model, "compiled", False) or getattr(model, "optimizer", None) is not None
    base = loss_setup(getattr(model, "loss", None)).merged(
        optimizer_setup(getattr(model, "optimizer", None))) if compiled else Setup()
    return base.merged(Setup(dropout=tuple(dropout), penalties=tuple(penalties)))


def torch_setup(modules) -> Setup:
    import torch
    dropout, dense = [], 0
    for m in modules:
        if isinstance(m, torch.nn.Linear):
            dense += 1
        elif isinstance(m, torch.nn.Dropout) and m.p:
            dropout.append((dense, float(m.p)))
    return Setup(dropout=tuple(dropout))


def _penalty(regularizer) -> tuple[float, float]:
    if regularizer is None:
        return 0.0, 0.0
    config = regularizer.get_config() if hasattr(regularizer, "get_config") else {}
    return float(config.get("l1", 0.0) or 0.0), float(config.get("l2", 0.0) or 0.0)


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        return float(value.numpy() if hasattr(value, "numpy") else value)
    except (TypeError, ValueError):
        return None
