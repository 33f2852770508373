"""The demo's check that the endpoint serves the model it built: a client's `200 {...}` answer
for the card's sample rows equals the predictions the build recorded in the model card, by the
model's kind (binary: the positive class's probability; regression: the value; multiclass: the
label and every class's probability)."""

from __future__ import annotations

import math
from typing import Any

from clients.payload import predictions_of

# float32 on both sides, through JSON: equal to a few ulps.
TOLERANCE = 1e-5


def check_predictions(output: str, card: dict[str, Any]) -> None:
    """Raise ValueError naming the first row that differs from the card's sample."""
    line = next((ln for ln in output.splitlines() if ln.startswith("200 ")), None)
    if line is None:
        raise ValueError("no `200 {...}` line in the client's output")
    got = predictions_of(line[4:])
    expected = card["sample"]["predictions"]
    if len(got) != len(expected):
        raise ValueError(f"served {len(got)} predictions for the card's {len(expected)} rows")
    multiclass = card.get("kind") == "multiclass"
    for row, (served, recorded) in enumerate(zip(got, expected, strict=True)):
        same = _same_class_answer(served, recorded) if multiclass else _close(served, recorded)
        if not same:
            raise ValueError(
                f"row {row}: served {served!r}, the model card recorded {recorded!r} "
                f"({card.get('kind', 'binary')} model)"
            )


def _close(served: object, recorded: object) -> bool:
    if isinstance(served, bool) or not isinstance(served, int | float):
        return False
    return math.isclose(float(served), float(str(recorded)), rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _same_class_answer(served: object, recorded: dict[str, Any]) -> bool:
    if not isinstance(served, dict) or served.get("predicted_label") != recorded["predicted_label"]:
        return False
    probabilities = served.get("probabilities")
    wanted = recorded["probabilities"]
    return (
        isinstance(probabilities, dict)
        and probabilities.keys() == wanted.keys()
        and all(_close(probabilities[label], p) for label, p in wanted.items())
    )
