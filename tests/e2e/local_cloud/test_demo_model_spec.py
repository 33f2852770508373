"""`make demo MODEL=examples/models/iris.toml`: the whole local lifecycle on a model spec, the
served labels and probabilities checked against the spec's model card (its own file, so xdist
runs it beside test_demo.py)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from local_cloud.app_copy import copy_app
from local_cloud.runtime_process import REPO_ROOT
from tests.e2e.local_cloud.test_demo import assert_every_stage_passed, run_demo_cli

SPEC = "examples/models/iris.toml"


def test_make_demo_passes_the_model_spec_to_the_demo() -> None:
    dry = subprocess.run(
        ["make", "-n", "demo", f"MODEL={SPEC}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"python -m local_cloud demo --model {SPEC}" in dry.stdout.splitlines()


def test_demo_on_a_multiclass_spec_serves_its_labels(tmp_path: Path) -> None:
    app = copy_app(tmp_path / "app")
    proc = run_demo_cli(app, tmp_path / "work", "--model", str(app / SPEC))
    output = proc.stdout
    assert proc.returncode == 0, output + proc.stderr
    assert_every_stage_passed(output)
    card = json.loads((app / "build/models/iris/model-card.json").read_text())
    assert card["kind"] == "multiclass"
    labels = [p["predicted_label"] for p in card["sample"]["predictions"]]
    assert len(set(labels)) == 3  # setosa, versicolor, virginica: one row each
    # Both clients got the card's answers (the demo checks every probability) and print labels.
    answers = re.findall(r'^200 (\{"predictions": .+\})$', output, flags=re.MULTILINE)
    assert len(answers) == 2
    for answer in answers:
        served = json.loads(answer)["predictions"]
        assert [p["predicted_label"] for p in served] == labels
    assert re.search(r'^    with key: 200 \{"predictions": \[\{"predicted_label"', output, re.M)


def test_demo_refuses_a_spec_that_is_not_there(tmp_path: Path) -> None:
    proc = run_demo_cli(tmp_path / "app", tmp_path / "work", "--model", "no/such.toml")
    assert proc.returncode == 1
    assert "--model: no model spec at no/such.toml" in proc.stderr
