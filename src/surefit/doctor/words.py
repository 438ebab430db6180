"""How findings name layers, units and numbers: layers and units are numbered from 1
("hidden layer 1" is the first layer of units)."""
from __future__ import annotations


def units(indices) -> list[int]:
    """0-based unit indices -> 1-based unit numbers."""
    return [int(i) + 1 for i in indices]


def unit_list(numbers: list[int], limit: int = 8) -> str:
    """'1, 2, 3' or, past `limit`, '1, 2, ..., 50 (12 units)'; numbers are 1-based."""
    if len(numbers) <= limit:
        return ", ".join(map(str, numbers))
    return f"{', '.join(map(str, numbers[:limit - 1]))}, ..., {numbers[-1]} ({len(numbers)} units)"


def layer_name(layer: int) -> str:
    return f"hidden layer {layer + 1}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
