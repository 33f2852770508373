"""Orchestrate one build: get a booster (train or package), package it, write the card.

Everything is written to a temporary folder beside ``out_dir`` and moved into place only once
the whole build succeeded, so a failed build leaves the previous output intact.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xgboost as xgb

from model_build import card, package, schema, train
from model_build.imported import load_packaged
from model_build.outputs import move_into_place
from model_build.params import TrainParams
from model_build.spec import DEFAULT_SPEC, BuildError, ModelSpec, PackageSpec, check_out_dir
from model_build.table import prepare, read_frame

# The handler's modules, shipped in the tarball verbatim so their bytes feed the asset hash.
HANDLER_DIR = Path(__file__).resolve().parents[1] / "inference_code"

__all__ = ["BuildError", "BuildResult", "build"]


@dataclass(frozen=True)
class BuildResult:
    """Where the artefacts are and the numbers the build printed."""

    out_dir: Path
    model_path: Path
    tarball: Path
    card_path: Path
    sha256: str
    kind: str
    metrics: dict[str, float]

    @property
    def auc(self) -> float:
        return self.metrics.get("auc", float("nan"))

    @property
    def accuracy(self) -> float:
        return self.metrics.get("accuracy", float("nan"))


def check_xgboost_version() -> None:
    """Version skew is silent (wrong predictions), so refuse to train with another XGBoost."""
    if xgb.__version__ != card.XGBOOST_VERSION:
        raise BuildError(
            f"xgboost {xgb.__version__} is installed but the serving image "
            f"{card.SERVING_IMAGE} runs {card.XGBOOST_VERSION}: install "
            f"xgboost-cpu=={card.XGBOOST_VERSION} (see requirements.txt)"
        )


def build(
    *,
    out_dir: Path,
    params: TrainParams | None = None,
    spec: ModelSpec | None = None,
    log: Callable[[str], None] = print,
) -> BuildResult:
    """Build ``spec`` (default: breast cancer) into ``out_dir``; ``params`` overrides the
    spec's hyperparameters. Same inputs and handler give byte-identical files."""
    check_xgboost_version()
    program = HANDLER_DIR / Path(package.HANDLER_ENTRY).name
    if not program.is_file():
        raise BuildError(f"handler not found: {program}")
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    spec = spec or DEFAULT_SPEC
    if params is not None and not isinstance(spec, PackageSpec):
        spec = dataclasses.replace(spec, params=params)
    mtime = _tar_mtime()
    if isinstance(spec, PackageSpec):
        with _Stage(log, "loading") as note:
            booster = load_packaged(spec)
            note(f"{spec.model}: {booster.num_boosted_rounds()} rounds")
        evaluation = train.Evaluation(
            metrics={}, test_rows=0, sample_instances=[], sample_predictions=[]
        )
        used_params = None
    else:
        used_params = spec.params
        with _Stage(log, "data") as note:
            table = prepare(spec, read_frame(spec.data))
            if table.inferred:
                log(f"[model_build] objective inferred from {spec.target!r}: {table.objective}")
            dataset = train.split(table, spec.params)
            note(f"{len(dataset.y_train)} train / {len(dataset.y_test)} test rows")
        with _Stage(log, "training") as note:
            booster = train.train_booster(dataset, spec.params)
            note(
                f"{table.objective}, {spec.params.n_estimators} trees, max_depth "
                f"{spec.params.max_depth}, eta {spec.params.learning_rate:g}, "
                f"nthread {spec.params.nthread}"
            )
        with _Stage(log, "evaluating") as note:
            evaluation = train.evaluate(booster, dataset)
            note(_metrics_text(evaluation.metrics))
    described = schema.describe(booster)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=_parent(out_dir)))
    try:
        result = _write(staging, booster, described, evaluation, used_params, mtime, log)
        move_into_place(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(
        f"[model_build] {package.TARBALL_NAME} sha256={result.sha256} "
        f"bytes={result.tarball_size} {_metrics_text(evaluation.metrics)}".rstrip()
    )
    return BuildResult(
        out_dir=out_dir,
        model_path=out_dir / "model" / package.MODEL_ENTRY,
        tarball=out_dir / package.TARBALL_NAME,
        card_path=out_dir / card.CARD_NAME,
        sha256=result.sha256,
        kind=described["kind"],
        metrics=evaluation.metrics,
    )


@dataclass(frozen=True)
class _Written:
    sha256: str
    tarball_size: int


def _write(
    folder: Path,
    booster: xgb.Booster,
    described: dict[str, object],
    evaluation: train.Evaluation,
    params: TrainParams | None,
    mtime: int,
    log: Callable[[str], None],
) -> _Written:
    with _Stage(log, "packaging") as note:
        model = package.model_bytes(booster)
        entries = {**package.handler_entries(HANDLER_DIR), package.MODEL_ENTRY: model}
        tarball = package.tarball_bytes(entries, mtime=mtime)
        (folder / "model").mkdir()
        (folder / "model" / package.MODEL_ENTRY).write_bytes(model)
        (folder / package.TARBALL_NAME).write_bytes(tarball)
        note(f"{package.TARBALL_NAME} ({len(tarball)} bytes)")
    sha256 = hashlib.sha256(tarball).hexdigest()
    if not evaluation.sample_instances:
        evaluation = _synthetic_sample(booster, described)
    with _Stage(log, "card") as note:
        text = card.verifiable_card_text(
            card.card_dict(
                params=params,
                schema=described,
                evaluation=evaluation,
                tarball_file=package.TARBALL_NAME,
                tarball_sha256=sha256,
                tarball_size=len(tarball),
                entries=sorted(entries),
            )
        )
        (folder / card.CARD_NAME).write_text(text)
        note(card.CARD_NAME)
    return _Written(sha256=sha256, tarball_size=len(tarball))


def _synthetic_sample(booster: xgb.Booster, described: dict[str, object]) -> train.Evaluation:
    """A packaged model comes without data: one row of zeros and first categories."""
    import pandas as pd

    features = described["features"]
    assert isinstance(features, list)
    row = [(f["categories"] or [None])[0] if f["type"] == "categorical" else 0.0 for f in features]
    frame = pd.DataFrame([row], columns=[f["name"] for f in features])
    for f in features:
        if f["type"] == "categorical":
            frame[f["name"]] = pd.Categorical(frame[f["name"]], categories=f["categories"])
    return train.Evaluation(
        metrics={},
        test_rows=0,
        sample_instances=[row],
        sample_predictions=train.predict(booster, frame).tolist(),
    )


def _parent(out_dir: Path) -> Path:
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def _metrics_text(metrics: dict[str, float]) -> str:
    return " ".join(f"{key}={value:.6f}" for key, value in metrics.items())


def _tar_mtime() -> int:
    try:
        return package.tar_mtime()
    except ValueError as error:
        raise BuildError(str(error)) from error


class _Stage:
    """Log ``[model_build] <stage>: <note> (<seconds> s)`` once the stage finishes."""

    def __init__(self, log: Callable[[str], None], name: str) -> None:
        self._log = log
        self._name = name
        self._note = ""
        self._start = 0.0

    def __enter__(self) -> Callable[[str], None]:
        self._start = time.perf_counter()
        return self._set_note

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            seconds = time.perf_counter() - self._start
            self._log(f"[model_build] {self._name}: {self._note} ({seconds:.2f} s)")

    def _set_note(self, note: str) -> None:
        self._note = note
