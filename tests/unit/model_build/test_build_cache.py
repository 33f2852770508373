"""The build never does the same work twice: same inputs reuse the finished build, byte for byte;
any changed input, or --force, builds again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model_build import build_cache
from model_build.__main__ import main

ROWS = "a,b,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{i % 2}\n" for i in range(60))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(build_cache.CACHE_ENV, str(root))
    return root


def _spec(tmp_path: Path, *, rounds: int = 5) -> Path:
    data = tmp_path / "rows.csv"
    if not data.exists():
        data.write_text(ROWS)
    spec = tmp_path / "spec.json"
    train = {"data": "rows.csv", "target": "y", "hyperparameters": {"n_estimators": rounds}}
    spec.write_text(json.dumps({"train": train}))
    return spec


def _build(spec: Path, out: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    assert main(["--spec", str(spec), "--out-dir", str(out), *flags]) == 0
    return capsys.readouterr().err


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_unchanged_inputs_reuse_the_build_byte_for_byte_and_train_nothing(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path)
    first = _build(spec, tmp_path / "one", capsys)
    second = _build(spec, tmp_path / "two", capsys)
    assert "training:" in first and "reused the finished build" not in first
    assert "training:" not in second and "reused the finished build" in second
    assert _files(tmp_path / "two") == _files(tmp_path / "one")
    # the summary a user (or cdk.json's build) reads is printed again: sha256, size, metrics
    assert second.splitlines()[-1] == first.splitlines()[-1]
    assert first.splitlines()[-1].startswith("[model_build] model.tar.gz sha256=")
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 1


def test_force_builds_again(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path)
    _build(spec, tmp_path / "out", capsys)
    again = _build(spec, tmp_path / "out", capsys, "--force")
    assert "training:" in again and "reused" not in again


@pytest.mark.parametrize("change", ["data", "hyperparameter", "handler"])
def test_a_changed_input_is_a_new_key(
    change: str, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from model_build.spec import load_spec

    before = build_cache.build_key(load_spec(_spec(tmp_path)))
    if change == "data":
        (tmp_path / "rows.csv").write_text(ROWS + "1,1,1\n")
    elif change == "hyperparameter":
        _spec(tmp_path, rounds=6)
    else:
        handler = tmp_path / "inference_code"
        handler.mkdir()
        (handler / "inference.py").write_text("# another handler\n")
        monkeypatch.setattr(build_cache, "_SOURCES", (*build_cache._SOURCES, handler))
    assert build_cache.build_key(load_spec(tmp_path / "spec.json")) not in (before, None)


def test_a_missing_data_file_is_reported_by_the_build_itself(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"train": {"data": "nowhere.csv", "target": "y"}}))
    assert main(["--spec", str(spec), "--out-dir", str(tmp_path / "out")]) == 1
    assert "nowhere.csv: data file not found" in capsys.readouterr().err
    assert not cache.exists()


def test_an_out_dir_that_is_a_file_is_refused_before_the_cache_is_read(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path)
    _build(spec, tmp_path / "out", capsys)
    (tmp_path / "file").write_text("")
    assert main(["--spec", str(spec), "--out-dir", str(tmp_path / "file")]) == 1
    assert "exists and is not a directory" in capsys.readouterr().err
