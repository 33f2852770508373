"""Orchestrate one build: train, evaluate, package, write the card."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xgboost as xgb

from model_build import card, package, train
from model_build.params import TrainParams

# The handler shipped in the tarball; copied verbatim so its bytes feed the asset hash.
HANDLER_SOURCE = Path(__file__).resolve().parents[1] / "inference_code" / "inference.py"


class BuildError(RuntimeError):
    """A build that cannot give a servable model (wrong library version, missing handler...)."""


@dataclass(frozen=True)
class BuildResult:
    """Where the artefacts are and the numbers the build printed."""

    out_dir: Path
    model_path: Path
    tarball: Path
    card_path: Path
    sha256: str
    auc: float
    accuracy: float


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
    params: TrainParams = TrainParams(),  # noqa: B008 - frozen, so a shared default is safe
    log: Callable[[str], None] = print,
) -> BuildResult:
    """Train and package into ``out_dir``; same params and handler give byte-identical files."""
    check_xgboost_version()
    if not HANDLER_SOURCE.is_file():
        raise BuildError(f"handler not found: {HANDLER_SOURCE}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"--out-dir {out_dir} exists and is not a directory")
    mtime = _tar_mtime()

    with _Stage(log, "data") as note:
        dataset = train.load_dataset(params)
        note(f"{len(dataset.y_train)} train / {len(dataset.y_test)} test rows")
    with _Stage(log, "training") as note:
        booster = train.train_booster(dataset, params)
        note(
            f"{params.n_estimators} trees, max_depth {params.max_depth}, "
            f"eta {params.learning_rate:g}, nthread {params.nthread}"
        )
    with _Stage(log, "evaluating") as note:
        evaluation = train.evaluate(booster, dataset)
        note(f"auc={evaluation.auc:.6f} accuracy={evaluation.accuracy:.6f}")
    with _Stage(log, "packaging") as note:
        model = package.model_bytes(booster)
        entries = {
            package.HANDLER_ENTRY: HANDLER_SOURCE.read_bytes(),
            package.MODEL_ENTRY: model,
        }
        tarball = package.tarball_bytes(entries, mtime=mtime)
        model_path = out_dir / "model" / package.MODEL_ENTRY
        tarball_path = out_dir / package.TARBALL_NAME
        package.write_atomically(model_path, model)
        package.write_atomically(tarball_path, tarball)
        note(f"{tarball_path} ({len(tarball)} bytes)")
    sha256 = hashlib.sha256(tarball).hexdigest()
    with _Stage(log, "card") as note:
        card_path = out_dir / card.CARD_NAME
        text = card.verifiable_card_text(
            card.card_dict(
                params=params,
                feature_names=dataset.feature_names,
                evaluation=evaluation,
                tarball_file=package.TARBALL_NAME,
                tarball_sha256=sha256,
                tarball_size=len(tarball),
                entries=sorted(entries),
            )
        )
        package.write_atomically(card_path, text.encode())
        note(str(card_path))
    log(
        f"[model_build] {package.TARBALL_NAME} sha256={sha256} bytes={len(tarball)} "
        f"auc={evaluation.auc:.6f} accuracy={evaluation.accuracy:.6f}"
    )
    return BuildResult(
        out_dir=out_dir,
        model_path=model_path,
        tarball=tarball_path,
        card_path=card_path,
        sha256=sha256,
        auc=evaluation.auc,
        accuracy=evaluation.accuracy,
    )


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
