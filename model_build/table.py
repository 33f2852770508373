"""Read the user's table and turn it into features, a target and class labels, or say why not.

Every refusal is a ``SpecError`` naming the file, the column and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model_build.spec import SKLEARN_PREFIX, SpecError, TrainSpec

# More classes than this is rarely a classification problem (an ID or a number as target).
MAX_CLASSES = 100
# An integer target with at most this many values is inferred to be classes.
INFERRED_CLASS_LIMIT = 20
# XGBoost refuses these characters in feature names.
_FORBIDDEN_IN_NAMES = ("[", "]", "<")


@dataclass(frozen=True)
class Table:
    """Features in the endpoint's order, the encoded target and what it means."""

    features: pd.DataFrame  # numeric columns float64, categorical ones pd.Categorical
    target: np.ndarray  # class codes 0..k-1, or the regression values
    objective: str  # binary, multiclass or regression
    labels: tuple[str, ...]  # class labels by code; () for regression
    categorical: tuple[str, ...]
    inferred: bool  # the objective was inferred from the target (the build prints it)

    @property
    def feature_names(self) -> list[str]:
        return [str(name) for name in self.features.columns]


def read_frame(data: str) -> pd.DataFrame:
    """CSV with a header, Parquet, or a built-in ``sklearn:`` table (target column: target)."""
    if data.startswith(SKLEARN_PREFIX):
        return _sklearn_frame(data)
    path = Path(data)
    if not path.is_file():
        raise SpecError(f"{data}: data file not found")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except (OSError, ValueError, ImportError) as error:
        raise SpecError(f"{data}: cannot read the table: {error}") from None


def _sklearn_frame(data: str) -> pd.DataFrame:
    import sklearn.datasets

    name = data.removeprefix(SKLEARN_PREFIX)
    allowed = ("breast_cancer", "diabetes", "iris", "wine")
    if name not in allowed:
        raise SpecError(
            f"{data}: unknown built-in table; allowed: sklearn:{', sklearn:'.join(allowed)}"
        )
    bunch = getattr(sklearn.datasets, f"load_{name}")()
    frame = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
    names = getattr(bunch, "target_names", None)
    frame["target"] = bunch.target if names is None else np.asarray(names)[bunch.target]
    return frame


def prepare(spec: TrainSpec, frame: pd.DataFrame) -> Table:
    where = spec.data
    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise SpecError(f"{where}: column {duplicates[0]!r} appears twice in the header")
    for key, names in (("target", (spec.target,)), ("drop", spec.drop)):
        _known(names, columns, where, key)
    if spec.features is not None:
        _known(spec.features, columns, where, "features")
        features = list(spec.features)
    else:
        features = [c for c in columns if c != spec.target and c not in spec.drop]
    if spec.target in features:
        raise SpecError(f"{where}: column {spec.target!r} is the target and cannot be a feature")
    if not features:
        raise SpecError(f"{where}: no feature columns left after target and drop")
    _known(spec.categorical, features, where, "categorical", what="feature")
    for name in features:
        bad = next((c for c in _FORBIDDEN_IN_NAMES if c in name), None)
        if bad is not None:
            raise SpecError(f"{where}: column {name!r}: XGBoost feature names cannot hold {bad!r}")
    x = pd.DataFrame(index=frame.index)
    for name in features:
        x[name] = _feature(frame[name], name, name in spec.categorical, where)
    target, objective, labels, inferred = _target(frame[spec.target], spec, where)
    return Table(
        features=x.reset_index(drop=True),
        target=target,
        objective=objective,
        labels=labels,
        categorical=tuple(n for n in features if n in spec.categorical),
        inferred=inferred,
    )


def _known(
    names: tuple[str, ...] | list[str],
    columns: list[str],
    where: str,
    key: str,
    what: str = "column",
) -> None:
    for name in names:
        if name not in columns:
            shown = ", ".join(columns[:12]) + (" ..." if len(columns) > 12 else "")
            raise SpecError(f"{where}: {key} names {what} {name!r}, which is not there ({shown})")


def _feature(column: pd.Series, name: str, categorical: bool, where: str) -> pd.Series:
    if categorical:
        values = column.map(lambda v: v if pd.isna(v) else str(v)).astype(object)
        categories = sorted({v for v in values if not pd.isna(v)})
        if not categories:
            raise SpecError(f"{where}: categorical column {name!r} has no values")
        return pd.Series(pd.Categorical(values, categories=categories), index=column.index)
    if column.dtype == bool:
        return column.astype(np.float64)
    if not pd.api.types.is_numeric_dtype(column):
        example = next((v for v in column if not pd.isna(v)), None)
        raise SpecError(
            f"{where}: column {name!r} is not numeric (e.g. {example!r}): "
            "declare it in categorical, or drop it"
        )
    return column.astype(np.float64)


def _target(
    column: pd.Series, spec: TrainSpec, where: str
) -> tuple[np.ndarray, str, tuple[str, ...], bool]:
    name = spec.target
    missing = int(column.isna().sum())
    if missing:
        raise SpecError(f"{where}: target column {name!r} has {missing} missing values")
    numeric = pd.api.types.is_numeric_dtype(column) and column.dtype != bool
    distinct = column.nunique()
    objective, inferred = spec.objective, spec.objective is None
    if objective is None:
        integral = numeric and bool(np.all(np.mod(column.to_numpy(np.float64), 1) == 0))
        if distinct == 2:
            objective = "binary"
        elif not numeric or (integral and distinct <= INFERRED_CLASS_LIMIT):
            objective = "multiclass"
        else:
            objective = "regression"
    if objective == "regression":
        if not numeric:
            raise SpecError(f"{where}: target column {name!r} is not numeric, cannot regress it")
        if distinct < 2:
            raise SpecError(f"{where}: target column {name!r} has one value only")
        return column.to_numpy(np.float64), objective, (), inferred
    codes, labels = _classes(column, spec, where, objective, distinct)
    return codes, objective, labels, inferred


def _classes(
    column: pd.Series, spec: TrainSpec, where: str, objective: str, distinct: int
) -> tuple[np.ndarray, tuple[str, ...]]:
    name = spec.target
    if distinct < 2:
        raise SpecError(f"{where}: target column {name!r} has one class only")
    limit = 2 if objective == "binary" else MAX_CLASSES
    if distinct > limit:
        raise SpecError(
            f"{where}: target column {name!r} has {distinct} classes, too many for "
            f"{objective} (at most {limit})"
        )
    values = sorted(column.unique().tolist())
    as_text = column.map(str)
    labels = tuple(str(v) for v in values)
    if spec.labels is not None:
        if sorted(spec.labels) != sorted(labels):
            raise SpecError(
                f"{where}: labels {list(spec.labels)} are not the classes of target column "
                f"{name!r}: {list(labels)}"
            )
        labels = spec.labels
    counts = as_text.value_counts()
    rare = next((label for label in labels if counts[label] < 2), None)
    if rare is not None:
        raise SpecError(f"{where}: class {rare!r} of target column {name!r} has one row only")
    codes = as_text.map({label: code for code, label in enumerate(labels)})
    return codes.to_numpy(np.int64), labels
