"""The build step: reproducible tarball, its layout and headers, the card, the CLI."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer

import model_build.pipeline
from model_build import BuildError, BuildResult, TrainParams, build
from model_build.__main__ import main
from model_build.package import DEFAULT_MTIME
from tests.support.paths import REPO

HANDLER = REPO / "inference_code" / "inference.py"
ENTRIES = ["code/inference.py", "xgboost-model"]


def _quiet(_line: str) -> None:
    pass


def _card(result: BuildResult) -> dict[str, Any]:
    return json.loads(result.card_path.read_text())


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds made inside tests use the default mtime unless a test sets it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_two_builds_into_different_dirs_are_byte_identical(
    built_model: BuildResult, tmp_path: Path
) -> None:
    again = build(out_dir=tmp_path / "elsewhere", log=_quiet)

    assert again.sha256 == built_model.sha256
    assert again.tarball.read_bytes() == built_model.tarball.read_bytes()
    assert again.model_path.read_bytes() == built_model.model_path.read_bytes()
    assert again.card_path.read_bytes() == built_model.card_path.read_bytes()


def test_build_result_points_at_the_files_it_wrote(built_model: BuildResult) -> None:
    out = built_model.out_dir
    assert built_model.model_path == out / "model" / "xgboost-model"
    assert built_model.tarball == out / "model.tar.gz"
    assert built_model.card_path == out / "model-card.json"
    assert built_model.sha256 == hashlib.sha256(built_model.tarball.read_bytes()).hexdigest()
    assert sorted(p.name for p in out.iterdir()) == ["model", "model-card.json", "model.tar.gz"]


def test_tarball_holds_exactly_the_handler_and_the_model_at_the_root(
    built_model: BuildResult,
) -> None:
    with tarfile.open(built_model.tarball) as tar:
        assert tar.getnames() == ENTRIES
        handler = tar.extractfile("code/inference.py")
        model = tar.extractfile("xgboost-model")
        assert handler is not None and model is not None
        assert handler.read() == HANDLER.read_bytes()
        assert model.read() == built_model.model_path.read_bytes()


@pytest.mark.parametrize("entry", ENTRIES)
def test_tar_headers_are_pinned(built_model: BuildResult, entry: str) -> None:
    with tarfile.open(built_model.tarball) as tar:
        info = tar.getmember(entry)
    assert info.isreg()
    assert (info.uid, info.gid, info.uname, info.gname) == (0, 0, "", "")
    assert info.mode == 0o644
    assert info.mtime == DEFAULT_MTIME


def test_gzip_header_has_no_time_and_no_file_name(built_model: BuildResult) -> None:
    header = built_model.tarball.read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"  # gzip magic, deflate
    assert header[3] == 0  # flags: no FNAME, FCOMMENT or FEXTRA
    assert header[4:8] == b"\x00\x00\x00\x00"  # MTIME


def test_model_file_is_xgboost_json(built_model: BuildResult) -> None:
    model = json.loads(built_model.model_path.read_bytes())
    assert model["version"] == [3, 2, 0]
    assert model["learner"]["objective"]["name"] == "binary:logistic"


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


@pytest.mark.parametrize(
    "change",
    [
        {"n_estimators": 50},
        {"max_depth": 3},
        {"learning_rate": 0.2},
        {"seed": 7},
        {"test_size": 0.25},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_changed_hyperparameter_changes_the_tarball(
    built_model: BuildResult, tmp_path: Path, change: dict[str, Any]
) -> None:
    params = dataclasses.replace(TrainParams(), **change)
    other = build(out_dir=tmp_path, params=params, log=_quiet)
    assert other.sha256 != built_model.sha256
    assert _card(other)["hyperparameters"] == dataclasses.asdict(params)


def test_source_date_epoch_sets_the_entry_mtime(
    built_model: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = build(out_dir=tmp_path, log=_quiet)
    with tarfile.open(result.tarball) as tar:
        assert {m.mtime for m in tar.getmembers()} == {1_700_000_000}
    assert result.sha256 != built_model.sha256


def test_bad_source_date_epoch_is_a_build_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH must be a non-negative integer"):
        build(out_dir=tmp_path, log=_quiet)


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


def test_gzip_stream_decompresses_to_a_ustar_archive(built_model: BuildResult) -> None:
    tar_bytes = gzip.decompress(built_model.tarball.read_bytes())
    assert tar_bytes[257:263] == b"ustar\x00"
