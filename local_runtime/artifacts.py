"""Model artefacts: fetch `s3://bucket/key` model.tar.gz from local S3 and unpack it safely.

The unpacked folder plays the container's /opt/ml/model. Extraction refuses members that would
land outside it (absolute paths, `..`, links pointing out, devices): tarfile's "data" filter.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONTAINER_MODEL_DIR = "/opt/ml/model"


class ArtifactError(Exception):
    """The artefact cannot be fetched or unpacked."""


def parse_s3_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or not parts.path.strip("/"):
        raise ArtifactError(f"ModelDataUrl must be s3://bucket/key, got {url!r}")
    return parts.netloc, parts.path.lstrip("/")


def _member_filter(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    # The "data" filter would quietly re-root an absolute name; a tarball holding one is broken.
    if member.name.startswith("/"):
        raise ArtifactError(f"member {member.name!r} has an absolute path")
    return tarfile.data_filter(member, dest)


def extract_tarball(tarball: Path, dest: Path) -> Path:
    """Unpack into `dest` (created); raise ArtifactError on any member escaping it."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(tarball, "r:*") as tar:
            tar.extractall(dest, filter=_member_filter)
    except (tarfile.TarError, OSError) as exc:
        raise ArtifactError(f"cannot unpack {tarball.name}: {exc}") from exc
    return dest


def fetch_model(s3_client: Any, model_data_url: str, dest: Path) -> Path:
    """Download and unpack the artefact into `dest`, replacing what was there."""
    bucket, key = parse_s3_url(model_data_url)
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dest.parent, suffix=".tar.gz") as tmp:
        try:
            s3_client.download_fileobj(bucket, key, tmp)
        except Exception as exc:  # botocore raises several types for a missing object
            raise ArtifactError(f"cannot download {model_data_url}: {exc}") from exc
        tmp.flush()
        return extract_tarball(Path(tmp.name), dest)


def local_path(container_path: str, model_dir: Path) -> str:
    """Map a path under /opt/ml/model (as the Model's environment names it) into `model_dir`."""
    if container_path == CONTAINER_MODEL_DIR or container_path.startswith(
        CONTAINER_MODEL_DIR + "/"
    ):
        return str(model_dir / container_path[len(CONTAINER_MODEL_DIR) :].lstrip("/"))
    return container_path
