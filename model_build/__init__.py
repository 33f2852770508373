"""Build step: train the XGBoost model and package model.tar.gz for sagemaker-xgboost:3.2-0.

Run as ``python -m model_build`` (cdk.json's ``build`` does, before every synth and deploy).
Tests and benchmarks use the Python API re-exported here.
"""

from __future__ import annotations

from model_build.params import TrainParams
from model_build.pipeline import BuildError, BuildResult, build

__all__ = ["BuildError", "BuildResult", "TrainParams", "build"]
