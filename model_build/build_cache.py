"""Never build the same model twice: a finished build is kept under the key of what made it.

cdk.json runs the build before every synth, diff and deploy, and `-c model=SPEC` builds at synth:
without a cache each of those retrains (and imports XGBoost, pandas and scikit-learn, most of a
small build's time). The key covers everything that decides the bytes: the spec, the data or
model file's bytes, the source of this package, the handler and constants.py, the library
versions and SOURCE_DATE_EPOCH. So a hit gives exactly the files a new build would, and any
change to an input is a miss. Only the standard library is imported until a build is really needed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from model_build.outputs import OUTPUTS, TARBALL, move_into_place
from model_build.spec import (
    SKLEARN_PREFIX,
    ModelSpec,
    PackageSpec,
    TrainSpec,
    check_out_dir,
)

CACHE_ENV = "MODEL_BUILD_CACHE"
_REPO = Path(__file__).resolve().parents[1]
_SOURCES = (_REPO / "model_build", _REPO / "inference_code")
_CONSTANTS = _REPO / "constants.py"  # the card names the image and XGBoost version from here
_LIBRARIES = ("xgboost-cpu", "xgboost", "numpy", "pandas", "pyarrow", "scikit-learn")
_DONE = ".complete"
_SUMMARY = "summary.txt"  # the build's last line (sha256, size, metrics), printed again on a hit
_SUMMARY_PREFIX = "[model_build] model.tar.gz sha256="


def cache_root() -> Path:
    """`$MODEL_BUILD_CACHE`, else the user's cache folder (as pip keeps its wheels)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sagemaker-xgb-cdk" / "models"


def build_key(spec: ModelSpec) -> str | None:
    """The sha256 of everything the build's result depends on; None when an input file is
    missing (the build itself then reports it in its own words)."""
    digest = hashlib.sha256(repr(spec).encode())
    source = spec.model if isinstance(spec, PackageSpec) else spec.data
    if not (isinstance(spec, TrainSpec) and spec.data.startswith(SKLEARN_PREFIX)):
        path = Path(source)
        if not path.is_file():
            return None
        digest.update(path.read_bytes())
    for root in _SOURCES:
        for file in sorted(root.rglob("*.py")):
            digest.update(str(file.relative_to(root.parent)).encode())
            digest.update(file.read_bytes())
    if _CONSTANTS.is_file():
        digest.update(_CONSTANTS.read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}=={_version(library)}".encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def build_cached(
    *, out_dir: Path, spec: ModelSpec, log: Callable[[str], None], force: bool = False
) -> Path:
    """Build `spec` into `out_dir`, or copy the finished build with the same key; returns the
    tarball's path. `force` builds anyway (and refreshes the cache)."""
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    key = build_key(spec)
    entry = cache_root() / key if key else None
    if entry is not None and not force and (entry / _DONE).is_file():
        _copy_outputs(entry, out_dir)
        log(f"[model_build] unchanged inputs (key {entry.name[:12]}): reused the finished build")
        log((entry / _SUMMARY).read_text().rstrip("\n"))
        return out_dir / TARBALL
    from model_build.pipeline import build  # late: XGBoost and pandas load only to build

    summary: list[str] = []

    def log_and_keep(line: str) -> None:
        if line.startswith(_SUMMARY_PREFIX):
            summary.append(line)
        log(line)

    result = build(out_dir=out_dir, spec=spec, log=log_and_keep)
    if entry is not None and summary:
        _store(out_dir, entry, summary[-1])
    return result.tarball


def _store(out_dir: Path, entry: Path, summary: str) -> None:
    """Copy the outputs into the cache as one rename, so a reader never sees half an entry."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=entry.parent))
    try:
        for name in OUTPUTS:
            _copy(out_dir / name, staging / name)
        (staging / _SUMMARY).write_text(summary + "\n")
        (staging / _DONE).touch()
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(staging, entry)
    except OSError:
        pass  # a cache that cannot be written costs a rebuild next time, never this build
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy_outputs(entry: Path, out_dir: Path) -> None:
    """Replace the outputs in `out_dir` from the cache; other files there are left alone."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.resolve().parent))
    try:
        for name in OUTPUTS:
            _copy(entry / name, staging / name)
        move_into_place(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy(source: Path, dest: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, dest)
    else:
        shutil.copy2(source, dest)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"
