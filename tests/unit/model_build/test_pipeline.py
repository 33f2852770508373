"""The build step: the card, build errors and logs, training parameters, the CLI."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer

import model_build.pipeline
from model_build import BuildError, BuildResult, TrainParams, build
from model_build.__main__ import main
from tests.support.paths import REPO
from tests.unit.model_build.test_tarball import ENTRIES


def _quiet(_line: str) -> None:
    pass


def _card(result: BuildResult) -> dict[str, Any]:
    return json.loads(result.card_path.read_text())


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds made inside tests use the default mtime unless a test sets it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_card_has_the_agreed_schema(built_model: BuildResult) -> None:
    card = _card(built_model)

    assert set(card) == {
        "framework",
        "xgboost_version",
        "serving_image",
        "objective",
        "kind",
        "labels",
        "features",
        "feature_names",
        "feature_count",
        "hyperparameters",
        "metrics",
        "tarball",
        "sample",
        "expected_response",
    }
    assert card["kind"] == "binary"
    assert card["labels"] == ["malignant", "benign"]
    assert card["features"] == [{"name": n, "type": "numeric"} for n in card["feature_names"]]
    assert card["framework"] == "xgboost"
    assert card["xgboost_version"] == "3.2.0"
    assert card["serving_image"] == "sagemaker-xgboost:3.2-0"
    assert card["objective"] == "binary:logistic"
    assert card["feature_names"] == [str(n) for n in load_breast_cancer().feature_names]
    assert card["feature_count"] == 30
    assert card["hyperparameters"] == {
        "n_estimators": 100,
        "max_depth": 4,
        "learning_rate": 0.1,
        "seed": 42,
        "nthread": 1,
        "test_size": 0.2,
    }


def test_card_metrics_match_the_result_and_the_held_out_split(built_model: BuildResult) -> None:
    metrics = _card(built_model)["metrics"]
    assert set(metrics) == {"auc", "accuracy", "test_rows"}
    assert 0.9 < metrics["auc"] <= 1
    assert 0.9 < metrics["accuracy"] <= 1
    assert (metrics["auc"], metrics["accuracy"]) == (built_model.auc, built_model.accuracy)
    assert metrics["test_rows"] == 114  # ceil(569 * 0.2)


def test_card_describes_the_tarball_byte_for_byte(built_model: BuildResult) -> None:
    data = built_model.tarball.read_bytes()
    assert _card(built_model)["tarball"] == {
        "file": "model.tar.gz",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "entries": ENTRIES,
    }


def test_card_sample_has_three_rows_of_thirty_and_probabilities(built_model: BuildResult) -> None:
    sample = _card(built_model)["sample"]
    assert set(sample) == {"instances", "rows", "predictions"}
    assert [len(row) for row in sample["instances"]] == [30, 30, 30]
    assert sample["rows"][0] == dict(
        zip(_card(built_model)["feature_names"], sample["instances"][0], strict=True)
    )
    assert len(sample["predictions"]) == 3
    assert all(0.0 < p < 1.0 for p in sample["predictions"])


def test_card_is_sorted_indented_json_without_timestamps(built_model: BuildResult) -> None:
    text = built_model.card_path.read_text()
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"


def test_other_xgboost_version_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_build.pipeline.xgb, "__version__", "1.7.4")
    with pytest.raises(BuildError, match=r"xgboost 1\.7\.4 is installed .* xgboost-cpu==3\.2\.0"):
        build(out_dir=tmp_path, log=_quiet)
    assert not (tmp_path / "model.tar.gz").exists()


def test_out_dir_that_is_a_file_is_a_build_error(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(BuildError, match="is not a directory"):
        build(out_dir=not_a_dir, log=_quiet)


def test_build_logs_a_line_per_stage_and_the_summary_last(tmp_path: Path) -> None:
    lines: list[str] = []
    result = build(out_dir=tmp_path, log=lines.append)
    stages = [line.split(":")[0] for line in lines[:-1]]
    assert stages == [
        f"[model_build] {s}" for s in ("data", "training", "evaluating", "packaging", "card")
    ]
    assert lines[-1] == (
        f"[model_build] model.tar.gz sha256={result.sha256} "
        f"bytes={result.tarball.stat().st_size} "
        f"auc={result.auc:.6f} accuracy={result.accuracy:.6f}"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_estimators": 0}, "n_estimators must be an integer in [1, 2000], got 0"),
        ({"max_depth": True}, "max_depth must be an integer in [1, 16], got True"),
        ({"learning_rate": 0.0}, "learning_rate must be a number in (0, 1], got 0.0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a number in (0, 1], got nan"),
        ({"seed": -1}, "seed must be an integer in [0, 2147483647], got -1"),
        ({"nthread": 0}, "nthread must be an integer in [1, 64], got 0"),
        ({"test_size": 0.9}, "test_size must be a number in [0.05, 0.5], got 0.9"),
        ({"n_estimators": 2.5}, "n_estimators must be an integer in [1, 2000], got 2.5"),
    ],
)
def test_train_params_reject_out_of_range_values(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        TrainParams(**kwargs)
    assert str(error.value) == message


def test_train_params_store_an_integer_learning_rate_as_float() -> None:
    assert TrainParams(learning_rate=1) == TrainParams(learning_rate=1.0)
    assert isinstance(TrainParams(learning_rate=1).learning_rate, float)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--n-estimators", "0"],
            "argument --n-estimators: must be an integer in [1, 2000], got 0",
        ),
        (["--n-estimators", "ten"], "argument --n-estimators: must be an integer"),
        (["--max-depth", "-1"], "argument --max-depth: must be an integer in [1, 16], got -1"),
        (["--learning-rate", "x"], "argument --learning-rate: must be a number in (0, 1]"),
        (["--learning-rate", "1.5"], "argument --learning-rate: must be a number in (0, 1]"),
        (["--seed", "4.2"], "argument --seed: must be an integer"),
        (["--nthread", "0"], "argument --nthread: must be an integer in [1, 64], got 0"),
        (["--test-size", "1"], "argument --test-size: must be a number in [0.05, 0.5], got 1.0"),
        (["--test-size", "inf"], "argument --test-size: must be a number in [0.05, 0.5], got inf"),
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_cli_rejects_bad_arguments_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_reports_a_build_error_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert main(["--out-dir", str(not_a_dir)]) == 1
    assert "[model_build] error: --out-dir" in capsys.readouterr().err


def test_python_m_model_build_writes_the_same_tarball(
    built_model: BuildResult, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "model_build", "--out-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""  # progress is on stderr: `cdk synth > template.yaml` stays clean
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith(f"[model_build] model.tar.gz sha256={built_model.sha256} bytes=")
    assert (out / "model.tar.gz").read_bytes() == built_model.tarball.read_bytes()
