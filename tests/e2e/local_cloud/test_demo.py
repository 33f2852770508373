"""`python -m local_cloud demo` end to end, as a person runs it (on a tmp copy of the app)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from local_cloud.app_copy import copy_app
from local_cloud.runtime_process import REPO_ROOT

STAGES = [
    "start control plane",
    "start local runtime",
    "bootstrap",
    "build",
    "deploy",
    "verify deploy",
    "predict (boto3)",
    "predict (raw SigV4)",
    "public API (POST /predict)",
    "destroy",
    "verify teardown",
    "stop",
]


def run_demo_cli(app: Path, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m local_cloud demo` on the app copy, with no real account in reach."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # no real account
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "local_cloud",
            "--work-dir",
            str(work),
            "demo",
            "--app-dir",
            str(app),
            *args,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_every_stage_passed(output: str) -> None:
    assert re.findall(r"^==> (.+)$", output, flags=re.MULTILINE) == STAGES
    for stage in STAGES:
        assert re.search(rf"^    {re.escape(stage)}: \d+\.\d s$", output, flags=re.MULTILINE)
    assert "teardown verified" in output


def test_demo_runs_every_stage_and_serves_predictions(tmp_path: Path) -> None:
    app = copy_app(tmp_path / "app")
    work = tmp_path / "work"
    proc = run_demo_cli(app, work)
    output = proc.stdout
    assert proc.returncode == 0, output + proc.stderr
    assert_every_stage_passed(output)
    assert len(re.findall(r'^200 \{"predictions": \[.+\]\}$', output, flags=re.MULTILINE)) == 2
    assert re.search(
        r"^Invoke URL: http://127\.0\.0\.1:\d+/endpoints/\S+/invocations$", output, re.M
    )
    assert re.search(r'^    with key: 200 \{"predictions": \[.+\]\}$', output, re.M)
    assert re.search(r"^    without key: 403 ", output, re.M)
    assert re.search(r"^    malformed body: 400 ", output, re.M)
    assert "teardown verified" in output
    assert re.search(r"^deploy verified: stack \S+ serves this build's model", output, re.M)
    # The local outputs file stays in the work dir, where a real-AWS `make predict` won't look.
    assert (work / "cdk-outputs.json").is_file()
    assert not (app / "cdk-outputs.json").exists()
