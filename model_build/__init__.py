"""Build step: train or package an XGBoost model and write model.tar.gz for sagemaker-xgboost:3.2-0.

Run as ``python -m model_build`` (cdk.json's ``build`` does, before every synth and deploy), or
``python -m model_build --spec FILE`` for a model spec. Tests, benchmarks and app.py use the
Python API re-exported here (``build_from_spec(spec_path, out_dir)`` is the one-call form).
"""

from __future__ import annotations

from model_build.params import TrainParams
from model_build.pipeline import BuildResult, build, build_from_spec
from model_build.spec import BuildError, SpecError, load_spec

__all__ = [
    "BuildError",
    "BuildResult",
    "SpecError",
    "TrainParams",
    "build",
    "build_from_spec",
    "load_spec",
]
