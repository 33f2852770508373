"""Artefact unpacking stays inside the model dir; container paths map into it."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from local_runtime.artifacts import ArtifactError, extract_tarball, local_path, parse_s3_url


def _tarball(path: Path, members: list[tarfile.TarInfo]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            data = b"x" if member.isfile() else None
            if data is not None:
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def _link(name: str, target: str, *, hard: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info


def test_a_normal_tarball_unpacks_into_the_model_dir(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "m.tar.gz", [_file("xgboost-model"), _file("code/inference.py")])
    dest = extract_tarball(tarball, tmp_path / "model")
    assert (dest / "xgboost-model").read_bytes() == b"x"
    assert (dest / "code" / "inference.py").is_file()


@pytest.mark.parametrize(
    "member",
    [
        pytest.param(_file("../escaped"), id="dot-dot"),
        pytest.param(_file("code/../../escaped"), id="nested-dot-dot"),
        pytest.param(_file("/tmp/escaped-absolute"), id="absolute"),
        pytest.param(_link("code/out", "../../escaped"), id="symlink-out"),
        pytest.param(_link("code/abs", "/etc/passwd"), id="symlink-absolute"),
        pytest.param(_link("code/hard", "../escaped", hard=True), id="hardlink-out"),
    ],
)
def test_members_escaping_the_model_dir_are_refused(
    tmp_path: Path, member: tarfile.TarInfo
) -> None:
    tarball = _tarball(tmp_path / "evil.tar.gz", [member])
    with pytest.raises(ArtifactError):
        extract_tarball(tarball, tmp_path / "work" / "model")
    assert not (tmp_path / "work" / "escaped").exists()
    assert not (tmp_path / "escaped").exists()


def test_a_file_that_is_not_a_tarball_is_an_artifact_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(ArtifactError):
        extract_tarball(junk, tmp_path / "model")


@pytest.mark.parametrize(
    ("container_path", "expected"),
    [
        ("/opt/ml/model/code", "/work/m/code"),
        ("/opt/ml/model", "/work/m"),
        ("/opt/ml/model/", "/work/m"),
        ("/opt/ml/modelx/code", "/opt/ml/modelx/code"),
        ("/elsewhere/code", "/elsewhere/code"),
    ],
)
def test_paths_under_opt_ml_model_map_into_the_model_dir(
    container_path: str, expected: str
) -> None:
    assert local_path(container_path, Path("/work/m")) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://bucket/key/model.tar.gz", ("bucket", "key/model.tar.gz")),
        ("s3://bucket/model.tar.gz", ("bucket", "model.tar.gz")),
    ],
)
def test_s3_urls_split_into_bucket_and_key(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize("url", ["https://bucket/key", "s3://bucket", "s3:///key", "model.tar.gz"])
def test_other_model_data_urls_are_refused(url: str) -> None:
    with pytest.raises(ArtifactError):
        parse_s3_url(url)
