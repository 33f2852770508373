"""The model card: what was built, how well it scores and how to call it (other code reads it)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from constants import IMAGE_REPOSITORY, IMAGE_TAG, XGBOOST_VERSION
from model_build.params import TrainParams
from model_build.train import OBJECTIVE, Evaluation

CARD_NAME = "model-card.json"
# The image the stack deploys: one source, so the card cannot name another.
SERVING_IMAGE = f"{IMAGE_REPOSITORY}:{IMAGE_TAG}"


def card_dict(
    *,
    params: TrainParams,
    feature_names: list[str],
    evaluation: Evaluation,
    tarball_file: str,
    tarball_sha256: str,
    tarball_size: int,
    entries: list[str],
) -> dict[str, Any]:
    """The card's fixed schema; no timestamps or paths, so equal builds give equal cards."""
    return {
        "framework": "xgboost",
        "xgboost_version": XGBOOST_VERSION,
        "serving_image": SERVING_IMAGE,
        "objective": OBJECTIVE,
        "feature_names": feature_names,
        "feature_count": len(feature_names),
        "hyperparameters": asdict(params),
        "metrics": {
            "auc": evaluation.auc,
            "accuracy": evaluation.accuracy,
            "test_rows": evaluation.test_rows,
        },
        "tarball": {
            "file": tarball_file,
            "sha256": tarball_sha256,
            "bytes": tarball_size,
            "entries": entries,
        },
        "sample": {
            "instances": evaluation.sample_instances,
            "predictions": evaluation.sample_predictions,
        },
    }


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
