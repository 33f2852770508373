"""Training hyperparameters and their allowed ranges (one source for the API and the CLI)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class _Range:
    """Closed or half-open numeric range; ``low_open`` excludes ``low`` (e.g. learning rate > 0)."""

    kind: type
    low: float
    high: float
    low_open: bool = False

    def problem(self, value: object) -> str | None:
        """Say what is wrong with ``value``, or None when it is allowed."""
        # bool is an int subclass: True must not pass as n_estimators=1.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"must be {self._describe()}, got {value!r}"
        if self.kind is int and not isinstance(value, int):
            return f"must be {self._describe()}, got {value!r}"
        if not math.isfinite(value):
            return f"must be {self._describe()}, got {value!r}"
        too_low = value <= self.low if self.low_open else value < self.low
        if too_low or value > self.high:
            return f"must be {self._describe()}, got {value!r}"
        return None

    def _describe(self) -> str:
        opening = "(" if self.low_open else "["
        if self.kind is int:
            return f"an integer in {opening}{int(self.low)}, {int(self.high)}]"
        return f"a number in {opening}{self.low:g}, {self.high:g}]"


# Upper bounds keep the build step a few seconds long and the tarball small.
LIMITS: dict[str, _Range] = {
    "n_estimators": _Range(int, 1, 2000),
    "max_depth": _Range(int, 1, 16),
    "learning_rate": _Range(float, 0.0, 1.0, low_open=True),
    "seed": _Range(int, 0, 2**31 - 1),
    "nthread": _Range(int, 1, 64),
    # Both splits must keep enough rows of each class for training and the 3-row card sample.
    "test_size": _Range(float, 0.05, 0.5),
}


@dataclass(frozen=True)
class TrainParams:
    """Hyperparameters of one build; the defaults are what ``python -m model_build`` uses."""

    n_estimators: int = 100
    max_depth: int = 4
    learning_rate: float = 0.1
    seed: int = 42
    nthread: int = 1
    test_size: float = 0.2

    def __post_init__(self) -> None:
        problems = [
            f"{f.name} {problem}"
            for f in fields(self)
            if (problem := LIMITS[f.name].problem(getattr(self, f.name))) is not None
        ]
        if problems:
            raise ValueError("; ".join(problems))
        # learning_rate=1 and 1.0 are the same model: store floats so the card is the same too.
        for f in fields(self):
            if LIMITS[f.name].kind is float:
                object.__setattr__(self, f.name, float(getattr(self, f.name)))
