"""checkov, a second scanner, passes every example config with nothing unexplained.

Each config (cdk.json's defaults and examples/*.json), from the run's shared synths, is written
twice: as synthesized, and with every checkov suppression stripped. One checkov run scans both
directories: the first must report no failed check, and each suppression must answer exactly the
finding the stripped copy reports. checkov lives in its own venv (`.venv-checkov`, from
requirements-checkov.txt: its pins clash with ours); `make test` builds it and sets
REQUIRE_CHECKOV=1, so a missing checkov fails there and only skips in a bare `pytest`.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stacks.checkov_skips import METADATA_KEY
from tests.support.assemblies import Assemblies
from tests.support.paths import REPO

CHECKOV = Path(os.environ.get("CHECKOV", REPO / ".venv-checkov" / "bin" / "checkov"))
# cdk.json's defaults and each example, by their names in tests/support/assemblies.py.
CONFIGS = ("default", *(path.stem for path in sorted((REPO / "examples").glob("*.json"))))
MIN_REASON = 40

Finding = tuple[str, str]  # (check id, resource as checkov names it: Type.LogicalId)


@dataclass(frozen=True)
class Scan:
    failed: dict[str, set[Finding]]  # per config, as synthesized
    skipped: dict[str, dict[Finding, str]]  # per config: suppression -> its comment
    unsuppressed: dict[str, set[Finding]]  # per config, with the suppressions stripped
    scanned: set[str]  # "<dir>/<config>" of every template checkov parsed


def _without_suppressions(template: dict[str, Any]) -> dict[str, Any]:
    stripped = json.loads(json.dumps(template))
    for resource in stripped.get("Resources", {}).values():
        metadata = resource.get("Metadata", {})
        metadata.pop(METADATA_KEY, None)
        if not metadata:
            resource.pop("Metadata", None)
    return stripped


def _run_checkov(directory: Path) -> list[dict[str, Any]]:
    if not CHECKOV.exists():
        message = f"checkov not found at {CHECKOV}: run `make test` (it builds .venv-checkov)"
        if os.environ.get("REQUIRE_CHECKOV"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [str(CHECKOV), "--directory", str(directory), "--framework", "cloudformation",
         "--output", "json", "--compact", "--skip-download"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )  # fmt: skip
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise RuntimeError(f"checkov failed ({result.returncode}): {result.stderr[-3000:]}")
    reports = json.loads(result.stdout)
    return reports if isinstance(reports, list) else [reports]


def _config_of(file_path: str) -> tuple[str, str]:
    """("with" or "without", config name) from checkov's `/with/<config>.template.json`."""
    parts = Path(file_path).parts
    return parts[-2], parts[-1].removesuffix(".template.json")


@pytest.fixture(scope="module")
def scan(assemblies: Assemblies, tmp_path_factory: pytest.TempPathFactory) -> Scan:
    root = tmp_path_factory.mktemp("checkov")
    for name in CONFIGS:
        template = assemblies.get(name).json
        for kind, content in (("with", template), ("without", _without_suppressions(template))):
            (root / kind).mkdir(exist_ok=True)
            (root / kind / f"{name}.template.json").write_text(json.dumps(content))
    failed: dict[str, set[Finding]] = defaultdict(set)
    unsuppressed: dict[str, set[Finding]] = defaultdict(set)
    skipped: dict[str, dict[Finding, str]] = defaultdict(dict)
    scanned: set[str] = set()
    for report in _run_checkov(root):
        results = report["results"]
        for check in results.get("passed_checks", []) + results.get("failed_checks", []):
            scanned.add("/".join(_config_of(check["file_path"])))
        for check in results.get("failed_checks", []):
            kind, name = _config_of(check["file_path"])
            target = failed if kind == "with" else unsuppressed
            target[name].add((check["check_id"], check["resource"]))
        for check in results.get("skipped_checks", []):
            kind, name = _config_of(check["file_path"])
            assert kind == "with", f"a stripped template still suppresses: {check['check_id']}"
            finding = (check["check_id"], check["resource"])
            skipped[name][finding] = check["check_result"].get("suppress_comment", "")
    return Scan(failed=failed, skipped=skipped, unsuppressed=unsuppressed, scanned=scanned)


def test_checkov_scans_every_config_both_ways(scan: Scan) -> None:
    expected = {f"{kind}/{name}" for kind in ("with", "without") for name in CONFIGS}
    assert scan.scanned == expected


@pytest.mark.parametrize("name", CONFIGS)
def test_checkov_reports_no_failed_check(scan: Scan, name: str) -> None:
    assert sorted(scan.failed[name]) == []


@pytest.mark.parametrize("name", CONFIGS)
def test_every_suppression_answers_a_finding_with_a_reason(scan: Scan, name: str) -> None:
    # Stripped of its suppressions, the template fails exactly the suppressed checks.
    assert set(scan.skipped[name]) == scan.unsuppressed[name]
    for (check_id, resource), reason in scan.skipped[name].items():
        assert len(reason) > MIN_REASON, f"{check_id} on {resource} needs a real reason"
