"""The shape of a normalisation result: its keys and the qualifier precedence."""

from __future__ import annotations

FIGURE_KEYS: tuple[str, ...] = ("value", "value_max", "unit", "approx")  # Kind.FIGURE
DATE_KEYS: tuple[str, ...] = ("date",)  # Kind.DATE
NORMALISATION_KEYS: tuple[str, ...] = FIGURE_KEYS + DATE_KEYS

APPROX_PRECEDENCE: tuple[str, ...] = ("range", "at_least", "at_most", "over", "nearly", "about")


def empty() -> dict:
    return dict.fromkeys(NORMALISATION_KEYS)
