"""The real CDK CLI runs app.py: a typo'd setting fails synth with the message, and jsii's
Node end-of-life banner (b'!!...' lines) stays silent without the Makefile's variable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cdk import REPO

pytestmark = pytest.mark.e2e

APP_PARTS = ("app.py", "constants.py", "stacks")


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app without cdk.json's build step (no model build racing other tests)."""
    directory = tmp_path_factory.mktemp("app")
    for part in APP_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, directory / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, directory / part)
    cdk_json = json.loads((REPO / "cdk.json").read_text())
    cdk_json.pop("build", None)
    (directory / "cdk.json").write_text(json.dumps(cdk_json))
    return directory


def test_cli_synth_refuses_a_typo_with_the_key_meant_and_no_banner(app_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_SILENCE")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "cdk"), "synth", "-q", "-c", "instance_cout=2",
         "-o", str(app_dir / "cdk.out")],
        cwd=app_dir, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "instance_cout: unknown key (did you mean 'instance_count'?)" in result.stderr
    assert "Traceback" not in result.stderr
    assert "b'!!" not in result.stderr
