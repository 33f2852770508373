"""Split, train and evaluate one table; the default is sklearn's breast-cancer data (bundled)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split

from model_build.params import TrainParams
from model_build.schema import LABELS_ATTRIBUTE
from model_build.spec import DEFAULT_SPEC
from model_build.table import Table, prepare, read_frame

OBJECTIVE = "binary:logistic"
XGB_OBJECTIVES = {
    "binary": "binary:logistic",
    "multiclass": "multi:softprob",
    "regression": "reg:squarederror",
}
_EVAL_METRICS = {"binary": "auc", "multiclass": "mlogloss", "regression": "rmse"}
SAMPLE_ROWS = 3


@dataclass(frozen=True)
class Dataset:
    """The split; feature order is the order the endpoint expects. Features are a float array,
    or a DataFrame when some are categorical (XGBoost's native categorical support)."""

    feature_names: list[str]
    x_train: Any
    y_train: np.ndarray
    x_test: Any
    y_test: np.ndarray
    objective: str = "binary"
    labels: tuple[str, ...] = DEFAULT_SPEC.labels or ()
    categorical: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """Held-out metrics plus the card's sample (first held-out rows and their predictions)."""

    metrics: dict[str, float]
    test_rows: int
    sample_instances: list[list[Any]]
    sample_predictions: list[Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def auc(self) -> float:
        return self.metrics.get("auc", float("nan"))

    @property
    def accuracy(self) -> float:
        return self.metrics.get("accuracy", float("nan"))


def load_dataset(params: TrainParams) -> Dataset:
    """Today's default: breast cancer, stratified split with a fixed seed."""
    return split(prepare(DEFAULT_SPEC, read_frame(DEFAULT_SPEC.data)), params)


def split(table: Table, params: TrainParams) -> Dataset:
    """Seeded split, stratified for classifiers, so every build sees the same rows."""
    x: Any = table.features if table.categorical else table.features.to_numpy(np.float64)
    stratify = table.target if table.objective != "regression" else None
    x_train, x_test, y_train, y_test = train_test_split(
        x, table.target, test_size=params.test_size, random_state=params.seed, stratify=stratify
    )
    if table.categorical:
        x_train, x_test = x_train.reset_index(drop=True), x_test.reset_index(drop=True)
    return Dataset(
        feature_names=table.feature_names,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        objective=table.objective,
        labels=table.labels,
        categorical=table.categorical,
    )


def train_booster(dataset: Dataset, params: TrainParams) -> xgb.Booster:
    """Train with a fixed seed and thread count: same inputs give the same trees, byte for byte.
    The booster keeps the feature names, kinds and categories; the labels go in an attribute."""
    if dataset.categorical:
        dtrain = xgb.DMatrix(
            dataset.x_train, label=dataset.y_train, nthread=params.nthread, enable_categorical=True
        )
    else:
        dtrain = xgb.DMatrix(
            dataset.x_train,
            label=dataset.y_train,
            nthread=params.nthread,
            feature_names=dataset.feature_names,
        )
    booster_params: dict[str, Any] = {
        "objective": XGB_OBJECTIVES[dataset.objective],
        "max_depth": params.max_depth,
        "eta": params.learning_rate,
        "seed": params.seed,
        "nthread": params.nthread,
        "tree_method": "hist",
        "eval_metric": _EVAL_METRICS[dataset.objective],
    }
    if dataset.objective == "multiclass":
        booster_params["num_class"] = len(dataset.labels)
    booster = xgb.train(booster_params, dtrain, num_boost_round=params.n_estimators)
    if dataset.labels:
        booster.set_attr(**{LABELS_ATTRIBUTE: json.dumps(list(dataset.labels))})
    return booster


def predict(booster: xgb.Booster, rows: Any) -> np.ndarray:
    """Predict the way the endpoint does: float32 numbers through ``inplace_predict``."""
    if isinstance(rows, pd.DataFrame):
        frame = rows.copy()
        for name in frame.columns:
            if not isinstance(frame[name].dtype, pd.CategoricalDtype):
                frame[name] = frame[name].astype(np.float32)
        return booster.inplace_predict(frame)
    return booster.inplace_predict(np.asarray(rows, dtype=np.float32))


def evaluate(booster: xgb.Booster, dataset: Dataset) -> Evaluation:
    """Held-out metrics by objective, rounded so the card is stable text."""
    predicted = predict(booster, dataset.x_test)
    y = dataset.y_test
    if dataset.objective == "binary":
        metrics = {
            "auc": float(roc_auc_score(y, predicted)),
            "accuracy": float(accuracy_score(y, predicted >= 0.5)),
        }
    elif dataset.objective == "multiclass":
        metrics = {
            "accuracy": float(accuracy_score(y, predicted.argmax(axis=1))),
            "log_loss": float(log_loss(y, predicted, labels=range(len(dataset.labels)))),
        }
    else:
        metrics = {
            "rmse": float(np.sqrt(mean_squared_error(y, predicted))),
            "r2": float(r2_score(y, predicted)),
        }
    sample = _head(dataset.x_test)
    return Evaluation(
        metrics={key: round(value, 6) for key, value in metrics.items()},
        test_rows=len(y),
        sample_instances=_json_rows(sample),
        sample_predictions=predict(booster, sample).tolist(),
    )


def _head(x: Any) -> Any:
    return x.iloc[:SAMPLE_ROWS] if isinstance(x, pd.DataFrame) else x[:SAMPLE_ROWS]


def _json_rows(rows: Any) -> list[list[Any]]:
    """Rows as JSON values: numbers, category strings, and null for a missing value."""
    if not isinstance(rows, pd.DataFrame):
        return [[None if np.isnan(v) else v for v in row] for row in rows.tolist()]
    return [
        [None if pd.isna(v) else (v if isinstance(v, str) else float(v)) for v in row]
        for row in rows.astype(object).itertuples(index=False)
    ]
