"""Write the model file and a reproducible model.tar.gz (stable bytes give a stable asset hash).

Layout for sagemaker-xgboost script mode: ``xgboost-model`` at the tar root (extracted to
/opt/ml/model) and the handler at ``code/inference.py`` (SAGEMAKER_SUBMIT_DIRECTORY).
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import xgboost as xgb

MODEL_ENTRY = "xgboost-model"
HANDLER_ENTRY = "code/inference.py"
TARBALL_NAME = "model.tar.gz"
# 1980-01-01T00:00:00Z, the usual reproducible-build floor (zip cannot go lower).
DEFAULT_MTIME = 315_532_800
GZIP_LEVEL = 9
ENTRY_MODE = 0o644


def model_bytes(booster: xgb.Booster) -> bytes:
    """Serialise as XGBoost JSON: deterministic, and loadable by format detection from bytes."""
    return bytes(booster.save_raw(raw_format="json"))


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


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step so an interrupted build never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
