"""The model card: what was built, how well it scores and how to call it (other code reads it)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from constants import IMAGE_REPOSITORY, IMAGE_TAG, XGBOOST_VERSION
from model_build import outputs
from model_build.params import TrainParams
from model_build.train import Evaluation

CARD_NAME = outputs.CARD
# The image the stack deploys: one source, so the card cannot name another.
SERVING_IMAGE = f"{IMAGE_REPOSITORY}:{IMAGE_TAG}"

__all__ = ["CARD_NAME", "SERVING_IMAGE", "XGBOOST_VERSION", "card_dict", "card_text"]


def card_dict(
    *,
    params: TrainParams | None,
    schema: dict[str, Any],
    evaluation: Evaluation,
    tarball_file: str,
    tarball_sha256: str,
    tarball_size: int,
    entries: list[str],
) -> dict[str, Any]:
    """The card's fixed schema; no timestamps or paths, so equal builds give equal cards.

    ``sample.instances`` are positional rows, ``sample.rows`` the same rows by feature name
    (what the clients send), ``sample.predictions`` the endpoint's JSON ``predictions``.
    """
    names = [feature["name"] for feature in schema["features"]]
    instances = evaluation.sample_instances
    return {
        "framework": "xgboost",
        "xgboost_version": XGBOOST_VERSION,
        "serving_image": SERVING_IMAGE,
        "objective": schema["objective"],
        "kind": schema["kind"],
        "labels": schema["labels"],
        "features": schema["features"],
        "feature_names": names,
        "feature_count": len(names),
        "hyperparameters": asdict(params) if params is not None else None,
        "metrics": {**evaluation.metrics, "test_rows": evaluation.test_rows},
        "tarball": {
            "file": tarball_file,
            "sha256": tarball_sha256,
            "bytes": tarball_size,
            "entries": entries,
        },
        "sample": {
            "instances": instances,
            "rows": [dict(zip(names, row, strict=True)) for row in instances],
            "predictions": endpoint_predictions(
                evaluation.sample_predictions, schema["kind"], schema["labels"]
            ),
        },
    }


def endpoint_predictions(raw: list[Any], kind: str, labels: list[str]) -> list[Any]:
    """What the endpoint's JSON ``predictions`` holds for ``raw`` booster outputs."""
    if kind != "multiclass":
        return raw
    answers = []
    for probabilities in raw:
        best = max(range(len(labels)), key=probabilities.__getitem__)
        answers.append(
            {
                "predicted_label": labels[best],
                "probabilities": dict(zip(labels, probabilities, strict=True)),
            }
        )
    return answers


# Per predicted number: JSON carries float32 exactly, but another CPU may round the last bits.
EXPECTED_ABS_TOLERANCE = 1e-6


def with_expected_response(card: dict[str, Any]) -> dict[str, Any]:
    """The card plus what the endpoint must answer for `sample.instances` sent as JSON.

    `python -m clients.verify_deploy` holds the live endpoint to it. Read from the card's own
    sample, so it follows whatever form `sample.predictions` takes.
    """
    expected = {
        "content_type": "application/json",
        "body": {"predictions": card["sample"]["predictions"]},
        "abs_tolerance": EXPECTED_ABS_TOLERANCE,
    }
    return {**card, "expected_response": expected}


def verifiable_card_text(card: dict[str, Any]) -> str:
    """The card's text with its `expected_response` (what the build writes)."""
    return card_text(with_expected_response(card))


def card_text(card: dict[str, Any]) -> str:
    """Sorted keys and fixed indentation: byte-stable and readable in review diffs."""
    return json.dumps(card, sort_keys=True, indent=2) + "\n"
