"""``python -m model_build``: train or package a model, write the tarball and the card.

python -m model_build                                  # the default (breast cancer)
python -m model_build --spec examples/models/iris.toml
python -m model_build --data table.csv --target churned [--objective binary]
python -m model_build --model my-model.json [--feature-names a b c] [--labels no yes]

A build whose inputs are unchanged is copied from the build cache (model_build/build_cache.py)
and trains nothing; --force builds anyway.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from model_build.build_cache import build_cached
from model_build.params import LIMITS, TrainParams
from model_build.spec import (
    DEFAULT_SPEC,
    OBJECTIVES,
    BuildError,
    ModelSpec,
    PackageSpec,
    TrainSpec,
    load_spec,
)

_DEFAULTS = TrainParams()
_HYPERPARAMETERS = (
    ("n_estimators", "--n-estimators", "boosting rounds"),
    ("max_depth", "--max-depth", "maximum tree depth"),
    ("learning_rate", "--learning-rate", "eta"),
    ("seed", "--seed", "seed of the split and of XGBoost"),
    ("nthread", "--nthread", "training threads (fixed for reproducibility)"),
    ("test_size", "--test-size", "held-out fraction, stratified for classifiers"),
)


def _checked(field: str) -> Callable[[str], int | float]:
    """An argparse type that parses and range-checks one hyperparameter (errors name the flag)."""
    limit = LIMITS[field]

    def parse(text: str) -> int | float:
        try:
            value = limit.kind(text)
        except ValueError:
            value = text
        problem = limit.problem(value)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = limit.kind.__name__  # argparse names the type in "invalid int value"
    return parse


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model_build",
        description="Train or package an XGBoost model; write model.tar.gz and model-card.json.",
    )
    parser.add_argument("--out-dir", type=Path, default=Path("build"), help="default: build")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--spec", type=Path, help="model spec (.json or .toml)")
    source.add_argument("--data", help="train on this table (CSV with a header, or Parquet)")
    source.add_argument("--model", help="package this XGBoost model file (.json or .ubj)")
    parser.add_argument("--target", help="with --data: the column to predict")
    parser.add_argument("--objective", choices=OBJECTIVES, help="with --data (default: inferred)")
    parser.add_argument("--features", nargs="+", help="with --data (default: all but target)")
    parser.add_argument("--drop", nargs="+", default=[], help="with --data: columns to ignore")
    parser.add_argument("--categorical", nargs="+", default=[], help="with --data")
    parser.add_argument("--feature-names", nargs="+", help="with --model: names in model order")
    parser.add_argument("--labels", nargs="+", help="class labels in class-index order")
    parser.add_argument(
        "--force", action="store_true", help="build even when the cache holds this build"
    )
    for field, flag, help_text in _HYPERPARAMETERS:
        default = getattr(_DEFAULTS, field)
        parser.add_argument(flag, type=_checked(field), help=f"{help_text} (default: {default})")
    args = parser.parse_args(argv)
    if args.data and not args.target:
        parser.error("--data needs --target COLUMN")
    if not args.data and (args.target or args.objective or args.features or args.categorical):
        parser.error("--target, --objective, --features and --categorical go with --data")
    if args.feature_names and not args.model:
        parser.error("--feature-names goes with --model")
    return args


def spec_from_args(args: argparse.Namespace) -> ModelSpec:
    """The spec the flags describe; hyperparameter flags override the spec's own."""
    spec: ModelSpec
    if args.spec is not None:
        spec = load_spec(args.spec)
    elif args.model:
        return PackageSpec(
            model=args.model,
            feature_names=_tuple(args.feature_names),
            labels=_tuple(args.labels),
        )
    elif args.data:
        spec = TrainSpec(
            data=args.data,
            target=args.target,
            features=_tuple(args.features),
            drop=tuple(args.drop),
            categorical=tuple(args.categorical),
            objective=args.objective,
            labels=_tuple(args.labels),
        )
    else:
        spec = DEFAULT_SPEC
    overrides = {
        field: getattr(args, field)
        for field, _, _ in _HYPERPARAMETERS
        if getattr(args, field) is not None
    }
    if overrides and isinstance(spec, TrainSpec):
        spec = dataclasses.replace(spec, params=dataclasses.replace(spec.params, **overrides))
    return spec


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values else None


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        # Progress goes to stderr: cdk.json runs this before synth, and `cdk synth > t.yaml`
        # must hold the template alone.
        build_cached(
            out_dir=args.out_dir, spec=spec_from_args(args), log=_progress, force=args.force
        )
    except BuildError as error:
        print(f"[model_build] error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
