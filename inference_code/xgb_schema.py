"""The model: ``xgboost-model`` loaded from bytes, and the schema it carries (feature names,
types and training categories are XGBoost's own; class labels are the booster attribute
``class_labels``), read once per worker."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xgboost as xgb

MODEL_FILE = "xgboost-model"
LABELS_ATTRIBUTE = "class_labels"


def load_booster(model_dir: str) -> xgb.Booster:
    """Load ``xgboost-model`` from bytes: XGBoost 3.2 guesses the format from a file's extension
    and this name has none, while loading from bytes detects JSON or UBJ by content."""
    path = Path(model_dir) / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: model.tar.gz must hold {MODEL_FILE} at its root"
        )
    booster = xgb.Booster()
    booster.load_model(bytearray(path.read_bytes()))
    # The container already runs one worker per CPU; more threads per worker only contend.
    booster.set_param({"nthread": 1})
    schema(booster)
    return booster


class Schema:
    """What the booster says about its inputs and outputs, read once per worker."""

    __slots__ = ("categorical", "codes", "count", "index", "kind", "labels", "names")

    def __init__(self, booster: xgb.Booster) -> None:
        self.count = booster.num_features()
        self.names = list(booster.feature_names or [])
        types = list(booster.feature_types or [])
        self.categorical = {i for i, kind in enumerate(types) if kind == "c"}
        self.codes = _category_codes(booster) if self.categorical else {}
        self.index = {name: i for i, name in enumerate(self.names)}
        objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
        self.kind = {"binary:logistic": "binary", "multi:softprob": "multiclass"}.get(
            objective, "regression"
        )
        labels = booster.attr(LABELS_ATTRIBUTE)
        self.labels = [str(label) for label in json.loads(labels)] if labels else []
        if self.kind == "multiclass" and not self.labels:
            self.labels = [
                str(i)
                for i in range(
                    booster.inplace_predict(np.zeros((1, self.count), dtype=np.float32)).shape[1]
                )
            ]


def schema(booster: xgb.Booster) -> Schema:
    """The booster's schema, cached on it (``model_fn`` reads it once per worker)."""
    found = getattr(booster, "_serving_schema", None)
    if found is None:
        found = Schema(booster)
        booster._serving_schema = found  # type: ignore[attr-defined]
    return found


def _category_codes(booster: xgb.Booster) -> dict[int, dict[str, int]]:
    """Training categories by feature index: {category: code}, XGBoost's own encoding."""
    exported = booster.get_categories(export_to_arrow=True).to_arrow() or []
    by_name = {str(name): array for name, array in exported if array is not None}
    names = list(booster.feature_names or [])
    return {
        i: {str(v): code for code, v in enumerate(by_name[name].to_pylist())}
        for i, name in enumerate(names)
        if name in by_name
    }


class Classes:
    """Multiclass probabilities (rows x classes) and the labels of their columns."""

    __slots__ = ("labels", "probabilities")

    def __init__(self, probabilities: np.ndarray, labels: list[str]) -> None:
        self.probabilities = probabilities
        self.labels = labels
