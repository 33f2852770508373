"""The model spec: one small JSON or TOML file saying which model to build.

Either ``train`` (a table, its target, features and hyperparameters) or ``package`` (an
existing XGBoost model file). Every problem is a ``SpecError`` naming the file, the key and
what is allowed, raised before anything is trained or written.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model_build.params import LIMITS, TrainParams

OBJECTIVES = ("binary", "multiclass", "regression")
# Built-in tables (no download): the example specs name them as data = "sklearn:<name>".
SKLEARN_PREFIX = "sklearn:"
_TRAIN_KEYS = {
    "data",
    "target",
    "features",
    "drop",
    "categorical",
    "objective",
    "labels",
    "hyperparameters",
    "split",
    "seed",
}
_PACKAGE_KEYS = {"model", "feature_names", "labels"}
_HYPERPARAMETERS = ("n_estimators", "max_depth", "learning_rate", "nthread")


class BuildError(RuntimeError):
    """A build that cannot give a servable model (wrong library version, missing handler...)."""


class SpecError(BuildError, ValueError):
    """A spec, a table or a model file that cannot give a servable model; the message names
    the file, the key or column, and the problem."""


@dataclass(frozen=True)
class TrainSpec:
    """Train on a table: CSV with a header, Parquet, or a built-in ``sklearn:`` table."""

    data: str
    target: str
    features: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    objective: str | None = None
    labels: tuple[str, ...] | None = None
    params: TrainParams = field(default_factory=TrainParams)
    source: str = "<command line>"


@dataclass(frozen=True)
class PackageSpec:
    """Ship an existing booster (``.json``, ``.ubj``) as it is."""

    model: str
    feature_names: tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    source: str = "<command line>"


ModelSpec = TrainSpec | PackageSpec

# Today's model, exactly: what ``python -m model_build`` builds with no spec.
DEFAULT_SPEC = TrainSpec(
    data="sklearn:breast_cancer",
    target="target",
    objective="binary",
    labels=("malignant", "benign"),
    source="<default: examples/models/breast-cancer.json>",
)


def load_spec(path: Path) -> ModelSpec:
    """Read a ``.json`` or ``.toml`` spec; relative data/model paths are relative to it."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: spec file not found")
    try:
        text = path.read_text(encoding="utf-8")
        document = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as error:
        raise SpecError(f"{path}: cannot read the spec: {error}") from None
    return spec_from_dict(document, source=str(path), base=path.parent)


def spec_from_dict(document: Any, *, source: str, base: Path = Path(".")) -> ModelSpec:
    where = source
    if (
        not isinstance(document, dict)
        or len(document) != 1
        or not ("train" in document or "package" in document)
    ):
        raise SpecError(f"{where}: expected one top-level key, 'train' or 'package'")
    if "train" in document:
        return _train_spec(_table(document["train"], f"{where}: train"), where, base)
    return _package_spec(_table(document["package"], f"{where}: package"), where, base)


def _train_spec(body: dict[str, Any], where: str, base: Path) -> TrainSpec:
    _no_unknown_keys(body, _TRAIN_KEYS, f"{where}: train")
    objective = body.get("objective")
    if objective is not None and objective not in OBJECTIVES:
        raise SpecError(
            f"{where}: train.objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}"
        )
    hyper = _table(body.get("hyperparameters", {}), f"{where}: train.hyperparameters")
    _no_unknown_keys(hyper, set(_HYPERPARAMETERS), f"{where}: train.hyperparameters")
    values = dict(hyper)
    if "split" in body:
        values["test_size"] = body["split"]
    if "seed" in body:
        values["seed"] = body["seed"]
    for key, value in values.items():
        problem = LIMITS[key].problem(value)
        if problem is not None:
            name = {"test_size": "split", "seed": "seed"}.get(key, f"hyperparameters.{key}")
            raise SpecError(f"{where}: train.{name} {problem}")
    return TrainSpec(
        data=_data_path(_string(body, "data", f"{where}: train"), base),
        target=_string(body, "target", f"{where}: train"),
        features=_names(body.get("features"), f"{where}: train.features"),
        drop=_names(body.get("drop"), f"{where}: train.drop") or (),
        categorical=_names(body.get("categorical"), f"{where}: train.categorical") or (),
        objective=objective,
        labels=_names(body.get("labels"), f"{where}: train.labels"),
        params=TrainParams(**values),
        source=where,
    )


def _package_spec(body: dict[str, Any], where: str, base: Path) -> PackageSpec:
    _no_unknown_keys(body, _PACKAGE_KEYS, f"{where}: package")
    return PackageSpec(
        model=_data_path(_string(body, "model", f"{where}: package"), base),
        feature_names=_names(body.get("feature_names"), f"{where}: package.feature_names"),
        labels=_names(body.get("labels"), f"{where}: package.labels"),
        source=where,
    )


def _data_path(value: str, base: Path) -> str:
    if value.startswith(SKLEARN_PREFIX) or Path(value).is_absolute():
        return value
    return str(base / value)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(f"{where} must be a table (an object), got {type(value).__name__}")
    return value


def _no_unknown_keys(body: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise SpecError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
        )


def _string(body: dict[str, Any], key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise SpecError(f"{where}.{key} is required and must be a non-empty string")
    return value


def _names(value: Any, where: str) -> tuple[str, ...] | None:
    """A list of distinct non-empty strings (column names or class labels), or None."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SpecError(f"{where} must be a list of non-empty strings, got {value!r}")
    duplicates = sorted({v for v in value if value.count(v) > 1})
    if duplicates:
        raise SpecError(f"{where} lists {duplicates[0]!r} twice")
    return tuple(value)


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output folder that is a file, before any work is done."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"--out-dir {out_dir} exists and is not a directory")
