"""The handler as it ships: flat modules that import only what the serving image has, each other
by top-level name, and that serve from the tarball's ``code/`` folder alone."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from model_build import BuildResult
from tests.support.paths import REPO

HANDLER_DIR = REPO / "inference_code"
MODULES = sorted(HANDLER_DIR.glob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        name.split(".")[0]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
        )
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_handler_imports_only_stdlib_numpy_and_xgboost_at_module_level(module: Path) -> None:
    siblings = {path.stem for path in MODULES}
    assert _imported_roots(module) - sys.stdlib_module_names - siblings <= {"numpy", "xgboost"}


def test_handler_modules_are_flat_and_prefixed_so_no_image_package_is_shadowed() -> None:
    folders = [path for path in HANDLER_DIR.iterdir() if path.is_dir()]
    assert all(path.name[0] in "._" for path in folders)  # caches only: no sub-package
    assert all(p.stem == "inference" or p.stem.startswith("xgb_") for p in MODULES)
    assert not (HANDLER_DIR / "__init__.py").exists()  # a namespace: tools see inference_code.*


def test_the_program_imports_numpy_and_xgboost_between_them() -> None:
    roots = set().union(*(_imported_roots(path) for path in MODULES))
    assert roots - sys.stdlib_module_names - {path.stem for path in MODULES} == {
        "numpy",
        "xgboost",
    }


def test_importing_the_handler_does_not_import_flask() -> None:
    probe = (
        "import sys; sys.path.insert(0, 'inference_code'); import inference; "
        "print(sorted(m for m in ('flask', 'werkzeug') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


def test_the_tarballs_code_folder_serves_alone(
    extracted_model: Path, built_model: BuildResult, tmp_path: Path
) -> None:
    """As in the container: only ``code/`` on the path (``-I``: no project, no PYTHONPATH), the
    hooks answer the card's sample and a bad request with its 4xx Response."""
    sample = json.loads(built_model.card_path.read_text())["sample"]
    probe = f"""
import json, sys
sys.path.insert(0, {str(extracted_model / "code")!r})
import inference
model = inference.model_fn({str(extracted_model)!r})
def call(body):
    return inference.output_fn(inference.predict_fn(inference.input_fn(body, "application/json"),
                                                    model), "application/json")
body, mimetype = call({json.dumps(json.dumps({"instances": sample["instances"]}))})
bad = call("[1, 2]")
print(json.dumps([json.loads(body), mimetype, bad.status_code, json.loads(bad.get_data())]))
print(sorted(m for m in sys.modules if m == "inference_code" or m.startswith("model_build")))
"""
    run = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    answer, foreign = run.stdout.strip().splitlines()
    assert json.loads(answer) == [
        {"predictions": sample["predictions"]},
        "application/json",
        400,
        {"error": "wrong_feature_count", "message": "expected 30 features per row, got 2"},
    ]
    assert foreign == "[]"
