"""The demo's prediction check compares a served answer with the model card by the model's kind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_cloud.card_check import check_predictions

IRIS = {
    "kind": "multiclass",
    "sample": {
        "predictions": [
            {"predicted_label": "setosa", "probabilities": {"setosa": 0.98, "virginica": 0.02}},
            {"predicted_label": "virginica", "probabilities": {"setosa": 0.1, "virginica": 0.9}},
        ]
    },
}
BINARY = {"kind": "binary", "sample": {"predictions": [0.0013, 0.9983]}}
REGRESSION = {"kind": "regression", "sample": {"predictions": [151.25, 75.5]}}


def _answer(predictions: list[Any]) -> str:
    return f"200 {json.dumps({'predictions': predictions})}\nInvoke URL: http://x\n"


@pytest.mark.parametrize("card", [IRIS, BINARY, REGRESSION], ids=["multiclass", "binary", "reg"])
def test_the_cards_own_predictions_pass(card: dict[str, Any]) -> None:
    check_predictions(_answer(card["sample"]["predictions"]), card)


@pytest.mark.parametrize(
    ("card", "served", "named"),
    [
        (BINARY, [0.0013, 0.9], "row 1"),
        (BINARY, [0.0013], "served 1 predictions for the card's 2"),
        (BINARY, ["0.0013", 0.9983], "row 0"),  # a string is not a probability
        (REGRESSION, [151.25, 75.6], "row 1"),
        (
            IRIS,
            [
                {"predicted_label": "setosa", "probabilities": {"setosa": 0.98, "virginica": 0.02}},
                {"predicted_label": "setosa", "probabilities": {"setosa": 0.1, "virginica": 0.9}},
            ],
            "row 1",
        ),  # the wrong label, right probabilities
        (
            IRIS,
            [
                {"predicted_label": "setosa", "probabilities": {"setosa": 0.97, "virginica": 0.03}},
                IRIS["sample"]["predictions"][1],  # type: ignore[index]
            ],
            "row 0",
        ),  # a probability off
        (IRIS, [0.98, 0.9], "row 0"),  # numbers where labels are due
    ],
)
def test_a_different_answer_names_the_row(
    card: dict[str, Any], served: list[Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        check_predictions(_answer(served), card)


def test_an_answer_without_a_200_line_is_refused() -> None:
    with pytest.raises(ValueError, match="no `200"):
        check_predictions("424 {}\n", BINARY)
