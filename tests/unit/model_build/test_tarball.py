"""The build's tarball: reproducible bytes, the container's layout (the handler's modules under
``code/``, the model at the root), pinned tar and gzip headers."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from model_build import BuildError, BuildResult, TrainParams, build
from model_build.package import DEFAULT_MTIME, handler_entries
from tests.support.paths import REPO

HANDLER_DIR = REPO / "inference_code"
# Listed on purpose: a module added to (or left out of) the handler changes the artefact.
HANDLER_MODULES = [
    "inference.py",
    "xgb_categories.py",
    "xgb_content_types.py",
    "xgb_decoder.py",
    "xgb_encoder.py",
    "xgb_errors.py",
    "xgb_npy.py",
    "xgb_rows.py",
    "xgb_schema.py",
]
ENTRIES = [f"code/{name}" for name in HANDLER_MODULES] + ["xgboost-model"]


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
        for name in HANDLER_MODULES:
            module = tar.extractfile(f"code/{name}")
            assert module is not None
            assert module.read() == (HANDLER_DIR / name).read_bytes()
        model = tar.extractfile("xgboost-model")
        assert model is not None
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


def test_gzip_stream_decompresses_to_a_ustar_archive(built_model: BuildResult) -> None:
    tar_bytes = gzip.decompress(built_model.tarball.read_bytes())
    assert tar_bytes[257:263] == b"ustar\x00"


def test_handler_entries_are_the_folders_modules_in_name_order(tmp_path: Path) -> None:
    for name in ["b.py", "a.py", "__init__.py", "conftest.py", "test_a.py", "notes.txt"]:
        (tmp_path / name).write_text(f"# {name}\n")
    for folder in ["__pycache__", "sub"]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "c.py").write_text("# c\n")

    entries = handler_entries(tmp_path)

    assert list(entries) == ["code/a.py", "code/b.py"]
    assert entries["code/a.py"] == b"# a.py\n"
