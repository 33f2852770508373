"""``python -m model_build``: train, package and describe the model (cdk.json's build step)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from model_build.params import LIMITS, TrainParams
from model_build.pipeline import BuildError, build

_DEFAULTS = TrainParams()


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
        description="Train the XGBoost classifier and write model.tar.gz and model-card.json.",
    )
    parser.add_argument("--out-dir", type=Path, default=Path("build"), help="default: build")
    for field, flag, help_text in (
        ("n_estimators", "--n-estimators", "boosting rounds"),
        ("max_depth", "--max-depth", "maximum tree depth"),
        ("learning_rate", "--learning-rate", "eta"),
        ("seed", "--seed", "seed of the split and of XGBoost"),
        ("nthread", "--nthread", "training threads (fixed for reproducibility)"),
        ("test_size", "--test-size", "held-out fraction, stratified"),
    ):
        default = getattr(_DEFAULTS, field)
        parser.add_argument(
            flag, type=_checked(field), default=default, help=f"{help_text} (default: {default})"
        )
    return parser.parse_args(argv)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    params = TrainParams(
        n_estimators=args.n_estimators,
        max_depth=args.max_depth,
        learning_rate=args.learning_rate,
        seed=args.seed,
        nthread=args.nthread,
        test_size=args.test_size,
    )
    try:
        # Progress goes to stderr: cdk.json runs this before synth, and `cdk synth > t.yaml`
        # must hold the template alone.
        build(out_dir=args.out_dir, params=params, log=_progress)
    except BuildError as error:
        print(f"[model_build] error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
