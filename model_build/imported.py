"""Package an existing XGBoost model file: check it loads faithfully, name its features.

The serving image runs XGBoost 3.2.0. JSON and UBJ models carry the version that wrote them;
one from 2.0 to 3.2 loads as it was trained (XGBoost keeps the format backward compatible).
Older models (1.x: another base_score and defaults), newer ones, and the legacy binary format
(which 3.x no longer reads) are refused with what to do instead.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import xgboost as xgb

from model_build.schema import LABELS_ATTRIBUTE, kind_of_objective
from model_build.spec import PackageSpec, SpecError

OLDEST_LOADABLE = (2, 0)
NEWEST_LOADABLE = (3, 2)
_RESAVE = (
    "load it with the XGBoost that wrote it and save it again with "
    "Booster.save_model('model.json') from xgboost 3.2.0"
)


def load_packaged(spec: PackageSpec) -> xgb.Booster:
    """The booster of ``spec.model`` with feature names and labels set as the spec says."""
    where = spec.model
    path = Path(spec.model)
    if not path.is_file():
        raise SpecError(f"{where}: model file not found")
    data = path.read_bytes()
    version = model_version(data, where)
    if not OLDEST_LOADABLE <= version[:2] <= NEWEST_LOADABLE:
        shown = ".".join(map(str, version))
        raise SpecError(
            f"{where}: saved by XGBoost {shown}; the serving image runs 3.2.0, which loads "
            f"models from {OLDEST_LOADABLE[0]}.{OLDEST_LOADABLE[1]} to "
            f"{NEWEST_LOADABLE[0]}.{NEWEST_LOADABLE[1]} faithfully: {_RESAVE}"
        )
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(data))
    except xgb.core.XGBoostError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unknown error"
        raise SpecError(f"{where}: XGBoost 3.2.0 cannot load this model: {first}") from None
    _name_features(booster, spec)
    _label_classes(booster, spec)
    return booster


def model_version(data: bytes, where: str) -> tuple[int, ...]:
    """The ``version`` a JSON or UBJ model file records (its last top-level key)."""
    if not data.startswith(b"{"):
        raise SpecError(
            f"{where}: not a JSON or UBJ model (the legacy binary format, or not XGBoost at "
            f"all); XGBoost 3.2.0 cannot read the legacy format: {_RESAVE}"
        )
    if data[1:2] in (b'"', b" ", b"\n", b"\r", b"\t"):
        try:
            version = json.loads(data).get("version")
        except (ValueError, AttributeError):
            raise SpecError(f"{where}: not valid JSON") from None
    else:
        version = _ubj_version(data)
    if (
        not isinstance(version, list)
        or len(version) != 3
        or not all(isinstance(v, int) for v in version)
    ):
        raise SpecError(f"{where}: the file records no XGBoost version; is it an XGBoost model?")
    return tuple(version)


_UBJ_INTS = {b"i": ">b", b"U": ">B", b"I": ">h", b"l": ">i", b"L": ">q"}


def _ubj_version(data: bytes) -> list[int] | None:
    """``version`` of a UBJ model: ``'version' [ # L <count> <int>...`` near the end."""
    at = data.rfind(b"\x07version[#L")
    if at < 0:
        return None
    at += len(b"\x07version[#L")
    try:
        (count,) = struct.unpack_from(">q", data, at)
        at += 8
        values = []
        for _ in range(min(count, 3)):
            fmt = _UBJ_INTS[data[at : at + 1]]
            (value,) = struct.unpack_from(fmt, data, at + 1)
            values.append(int(value))
            at += 1 + struct.calcsize(fmt)
    except (struct.error, KeyError):
        return None
    return values


def _name_features(booster: xgb.Booster, spec: PackageSpec) -> None:
    stored = booster.feature_names
    count = booster.num_features()
    if spec.feature_names is None:
        if stored is None:
            raise SpecError(
                f"{spec.model}: the booster stores no feature names; give feature_names "
                f"({count} of them, in the order the model was trained on)"
            )
        return
    if len(spec.feature_names) != count:
        raise SpecError(
            f"{spec.model}: feature_names lists {len(spec.feature_names)} names, the model "
            f"has {count} features"
        )
    if stored is not None and list(stored) != list(spec.feature_names):
        raise SpecError(
            f"{spec.model}: feature_names differ from the names the booster stores "
            f"({', '.join(stored[:5])}...); leave feature_names out to use the stored ones"
        )
    booster.feature_names = list(spec.feature_names)


def _label_classes(booster: xgb.Booster, spec: PackageSpec) -> None:
    config = json.loads(booster.save_config())
    objective = config["learner"]["objective"]["name"]
    kind = kind_of_objective(objective, where=spec.model)
    classes = int(config["learner"]["learner_model_param"].get("num_class", "0")) or 2
    if kind == "regression":
        if spec.labels is not None:
            raise SpecError(f"{spec.model}: labels given, but {objective} is a regression")
        return
    stored = booster.attr(LABELS_ATTRIBUTE)
    labels = list(spec.labels) if spec.labels is not None else None
    if labels is None:
        labels = json.loads(stored) if stored else [str(i) for i in range(classes)]
    if len(labels) != classes:
        raise SpecError(
            f"{spec.model}: labels lists {len(labels)} classes, the model has {classes}"
        )
    booster.set_attr(**{LABELS_ATTRIBUTE: json.dumps(labels)})
