"""The schema a built booster carries: what the card shows and the handler reads back.

All of it lives inside the XGBoost model file: feature names and types (``'c'`` for
categorical) and the training categories are XGBoost 3.x's own; the class labels are a booster
attribute (``class_labels``, a JSON list). Nothing else sits beside ``xgboost-model``.
"""

from __future__ import annotations

import json
from typing import Any

import xgboost as xgb

from model_build.spec import SpecError

LABELS_ATTRIBUTE = "class_labels"
_KINDS = {"binary:logistic": "binary", "multi:softprob": "multiclass"}
_REGRESSION_PREFIXES = ("reg:", "count:poisson")


def kind_of_objective(objective: str, *, where: str) -> str:
    """binary, multiclass or regression; other objectives have no answer the handler knows."""
    if objective in _KINDS:
        return _KINDS[objective]
    if objective.startswith(_REGRESSION_PREFIXES) and objective != "reg:logistic":
        return "regression"
    raise SpecError(
        f"{where}: objective {objective!r} is not served; use binary:logistic, "
        "multi:softprob or a reg:* objective (multi:softmax: retrain with multi:softprob)"
    )


def describe(booster: xgb.Booster) -> dict[str, Any]:
    """``{objective, kind, labels, features: [{name, type, categories?}]}`` of a booster."""
    config = json.loads(booster.save_config())
    objective = config["learner"]["objective"]["name"]
    names = list(booster.feature_names or [])
    types = list(booster.feature_types or ["float"] * len(names))
    categories = _categories(booster) if "c" in types else {}
    features: list[dict[str, Any]] = []
    for name, kind in zip(names, types, strict=True):
        if kind == "c":
            features.append(
                {"name": name, "type": "categorical", "categories": categories.get(name, [])}
            )
        else:
            features.append({"name": name, "type": "numeric"})
    labels = booster.attr(LABELS_ATTRIBUTE)
    return {
        "objective": objective,
        "kind": kind_of_objective(objective, where="model"),
        "labels": json.loads(labels) if labels else [],
        "features": features,
    }


def _categories(booster: xgb.Booster) -> dict[str, list[str]]:
    """Training categories by feature, in XGBoost's code order (from its Arrow export)."""
    exported = booster.get_categories(export_to_arrow=True).to_arrow()
    found: dict[str, list[str]] = {}
    for name, array in exported or []:
        if array is not None:
            found[str(name)] = [str(v) for v in array.to_pylist()]
    return found
