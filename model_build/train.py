"""Train the binary classifier on sklearn's breast-cancer data (bundled, so no download)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split

from model_build.params import TrainParams

OBJECTIVE = "binary:logistic"
SAMPLE_ROWS = 3


@dataclass(frozen=True)
class Dataset:
    """The stratified split; feature order is the order the endpoint expects."""

    feature_names: list[str]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    """Held-out metrics plus the card's sample (first held-out rows and their probabilities)."""

    auc: float
    accuracy: float
    test_rows: int
    sample_instances: list[list[float]]
    sample_predictions: list[float]


def load_dataset(params: TrainParams) -> Dataset:
    """Split with a fixed seed and stratification so every build sees the same rows."""
    data = load_breast_cancer()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data,
        data.target,
        test_size=params.test_size,
        random_state=params.seed,
        stratify=data.target,
    )
    return Dataset(
        feature_names=[str(name) for name in data.feature_names],
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
    )


def train_booster(dataset: Dataset, params: TrainParams) -> xgb.Booster:
    """Train with a fixed seed and thread count: same inputs give the same trees, byte for byte."""
    dtrain = xgb.DMatrix(dataset.x_train, label=dataset.y_train, nthread=params.nthread)
    booster_params = {
        "objective": OBJECTIVE,
        "max_depth": params.max_depth,
        "eta": params.learning_rate,
        "seed": params.seed,
        "nthread": params.nthread,
        "tree_method": "hist",
        "eval_metric": "auc",
    }
    return xgb.train(booster_params, dtrain, num_boost_round=params.n_estimators)


def predict(booster: xgb.Booster, rows: np.ndarray) -> np.ndarray:
    """Predict the way the endpoint does: float32 rows through ``inplace_predict``."""
    return booster.inplace_predict(np.asarray(rows, dtype=np.float32))


def evaluate(booster: xgb.Booster, dataset: Dataset) -> Evaluation:
    """Held-out AUC and accuracy (threshold 0.5), rounded so the card is stable text."""
    probabilities = predict(booster, dataset.x_test)
    sample = dataset.x_test[:SAMPLE_ROWS]
    return Evaluation(
        auc=round(float(roc_auc_score(dataset.y_test, probabilities)), 6),
        accuracy=round(float(accuracy_score(dataset.y_test, probabilities >= 0.5)), 6),
        test_rows=len(dataset.y_test),
        sample_instances=sample.tolist(),
        sample_predictions=predict(booster, sample).tolist(),
    )
