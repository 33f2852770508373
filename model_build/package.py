"""Write the model file and a reproducible model.tar.gz (stable bytes give a stable asset hash).

Layout for sagemaker-xgboost script mode: ``xgboost-model`` at the tar root (extracted to
/opt/ml/model) and the handler under ``code/`` (SAGEMAKER_SUBMIT_DIRECTORY): the program
``code/inference.py`` and its sibling modules, which the container installs as top-level modules.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import xgboost as xgb

from model_build import outputs

MODEL_ENTRY = "xgboost-model"
CODE_DIR = "code"
HANDLER_ENTRY = f"{CODE_DIR}/inference.py"
TARBALL_NAME = outputs.TARBALL
# 1980-01-01T00:00:00Z, the usual reproducible-build floor (zip cannot go lower).
DEFAULT_MTIME = 315_532_800
GZIP_LEVEL = 9
ENTRY_MODE = 0o644


def model_bytes(booster: xgb.Booster) -> bytes:
    """Serialise as XGBoost JSON: deterministic, and loadable by format detection from bytes."""
    return bytes(booster.save_raw(raw_format="json"))


def handler_entries(source_dir: Path) -> dict[str, bytes]:
    """Every module of the handler's folder by tar entry name, in name order. Package files,
    tests and caches stay out, and so do sub-folders: the container installs ``code/`` as flat
    top-level modules, so a sub-package would not travel."""
    return {
        f"{CODE_DIR}/{path.name}": path.read_bytes()
        for path in sorted(source_dir.glob("*.py"))
        if path.is_file() and not _is_left_out(path.name)
    }


def _is_left_out(name: str) -> bool:
    return name in {"__init__.py", "conftest.py"} or name.startswith("test_")


def tar_mtime() -> int:
    """Entry mtime: SOURCE_DATE_EPOCH when set (reproducible-builds.org), else a constant."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_MTIME
    if not value.isdigit():
        raise ValueError(f"SOURCE_DATE_EPOCH must be a non-negative integer, got {value!r}")
    return int(value)


def tarball_bytes(entries: dict[str, bytes], *, mtime: int) -> bytes:
    """Tar + gzip with every varying field pinned: order, times, owners, modes, gzip header."""
    tar_buffer = io.BytesIO()
    # USTAR: no PAX headers that could carry extra (varying) fields.
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(entries):
            data = entries[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            info.mode = ENTRY_MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(data))
    gz_buffer = io.BytesIO()
    # filename="" and mtime=0 keep the build path and clock out of the gzip header.
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=gz_buffer, mtime=0, compresslevel=GZIP_LEVEL
    ) as gz:
        gz.write(tar_buffer.getvalue())
    return gz_buffer.getvalue()
