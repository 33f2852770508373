"""Build step: train or package an XGBoost model and write model.tar.gz for sagemaker-xgboost:3.2-0.

Run as ``python -m model_build`` (cdk.json's ``build`` does, before every synth and deploy), or
``python -m model_build --spec FILE`` for a model spec. Tests, benchmarks and app.py use the
Python API re-exported here (``build_from_spec(spec_path, out_dir)`` is the one-call form, and
reuses a finished build with the same inputs). The training libraries load on first use of
``build``, so the build cache answers without importing them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from model_build.build_cache import build_cached
from model_build.params import TrainParams
from model_build.spec import BuildError, SpecError, load_spec

if TYPE_CHECKING:
    from collections.abc import Callable

    from model_build.pipeline import BuildResult, build

__all__ = [
    "BuildError",
    "BuildResult",
    "SpecError",
    "TrainParams",
    "build",
    "build_from_spec",
    "load_spec",
]


def build_from_spec(spec_path: Path, out_dir: Path, *, log: Callable[[str], None] = print) -> Path:
    """Build the model a spec file describes into ``out_dir`` (from the build cache when its
    inputs are unchanged); returns the tarball's path."""
    return build_cached(out_dir=out_dir, spec=load_spec(spec_path), log=log)


def __getattr__(name: str) -> Any:
    if name in ("build", "BuildResult"):
        from model_build import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'model_build' has no attribute {name!r}")
