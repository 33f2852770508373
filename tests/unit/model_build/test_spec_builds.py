"""Model specs: every example builds reproducibly, every bad spec fails loudly and keeps build/."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from model_build import BuildError, BuildResult, SpecError, build, build_from_spec, load_spec
from model_build.__main__ import main
from model_build.example_tables import loans_table
from model_build.imported import load_packaged, model_version
from model_build.spec import PackageSpec
from tests.unit.model_build.test_tarball import ENTRIES

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "models"


def _quiet(_line: str) -> None:
    pass


def _build(spec: Path, out: Path) -> BuildResult:
    return build(out_dir=out, spec=load_spec(spec), log=_quiet)


@pytest.fixture(scope="module")
def example_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildResult]:
    return {
        name: _build(EXAMPLES / name, tmp_path_factory.mktemp(name))
        for name in ("iris.toml", "diabetes.json", "loans.toml")
    }


def _card(result: BuildResult) -> dict[str, Any]:
    return json.loads(result.card_path.read_text())


def test_breast_cancer_spec_is_the_default_build(built_model: BuildResult, tmp_path: Path) -> None:
    from_spec = _build(EXAMPLES / "breast-cancer.json", tmp_path)
    assert from_spec.tarball.read_bytes() == built_model.tarball.read_bytes()


@pytest.mark.parametrize("name", ["iris.toml", "diabetes.json", "loans.toml"])
def test_example_builds_are_byte_reproducible(
    example_builds: dict[str, BuildResult], name: str, tmp_path: Path
) -> None:
    again = _build(EXAMPLES / name, tmp_path)
    first = example_builds[name]
    assert again.sha256 == first.sha256 == hashlib.sha256(first.tarball.read_bytes()).hexdigest()
    assert again.card_path.read_bytes() == first.card_path.read_bytes()


def test_each_example_has_its_kind_labels_and_metric(
    example_builds: dict[str, BuildResult],
) -> None:
    iris, diabetes, loans = (
        _card(example_builds[n]) for n in ("iris.toml", "diabetes.json", "loans.toml")
    )
    assert (iris["kind"], iris["labels"]) == ("multiclass", ["setosa", "versicolor", "virginica"])
    assert iris["metrics"]["accuracy"] > 0.85
    assert (diabetes["kind"], diabetes["labels"]) == ("regression", [])
    assert diabetes["metrics"]["r2"] > 0.3
    assert (loans["kind"], loans["labels"]) == ("binary", ["no", "yes"])
    assert loans["metrics"]["auc"] > 0.85
    assert "loan_id" not in loans["feature_names"]


def test_categories_travel_inside_the_booster(example_builds: dict[str, BuildResult]) -> None:
    """Names, kinds and categories are XGBoost's own fields; no side file in the tarball."""
    result = example_builds["loans.toml"]
    booster = xgb.Booster()
    booster.load_model(bytearray(result.model_path.read_bytes()))
    assert booster.feature_names == [
        "region",
        "purpose",
        "income",
        "amount",
        "years_employed",
    ]
    assert booster.feature_types == ["c", "c", "float", "float", "float"]
    assert json.loads(booster.attr("class_labels") or "") == ["no", "yes"]
    features = _card(result)["features"]
    assert features[0] == {
        "name": "region",
        "type": "categorical",
        "categories": ["central", "east", "north", "south", "west"],
    }
    assert _card(result)["tarball"]["entries"] == ENTRIES


def test_loans_table_is_generated_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "loans.csv"
    subprocess.run(
        [sys.executable, "-m", "model_build.example_tables", "--out", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (EXAMPLES / "loans.csv").read_bytes()
    assert loans_table()["years_employed"].isna().sum() > 0


# --- bad specs -------------------------------------------------------------------------------


def _table(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return path


def _good_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=40), "color": ["red", "blue"] * 20, "y": [0, 1] * 20})


def _spec(tmp_path: Path, train: dict[str, Any]) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"train": train}))
    return path


BAD_TRAIN: list[tuple[dict[str, Any], str]] = [
    ({"data": "missing.csv", "target": "y"}, "missing.csv: data file not found"),
    ({"target": "nope"}, "target names column 'nope', which is not there"),
    ({"target": "y", "features": ["a", "zz"]}, "features names column 'zz', which is not there"),
    ({"target": "y", "drop": ["zz"]}, "drop names column 'zz'"),
    ({"target": "y", "features": ["a"], "categorical": ["color"]},
     "categorical names feature 'color', which is not there"),
    ({"target": "y", "features": ["a", "color"]},
     "column 'color' is not numeric (e.g. 'red'): declare it in categorical"),
    ({"target": "one"}, "target column 'one' has one class only"),
    ({"target": "gaps"}, "target column 'gaps' has 1 missing values"),
    ({"target": "many", "objective": "binary"},
     "target column 'many' has 40 classes, too many for binary (at most 2)"),
    ({"target": "names", "objective": "regression"},
     "target column 'names' is not numeric, cannot regress it"),
    ({"target": "y", "objective": "ranking"}, "train.objective must be one of binary"),
    ({"target": "y", "hyperparameters": {"max_depth": 99}},
     "train.hyperparameters.max_depth must be an integer in [1, 16], got 99"),
    ({"target": "y", "hyperparameters": {"gamma": 1}}, "unknown key 'gamma'"),
    ({"target": "y", "split": 0.9}, "train.split must be a number in [0.05, 0.5]"),
    ({"target": "y", "labels": ["x", "z"]},
     "labels ['x', 'z'] are not the classes of target column 'y'"),
]  # fmt: skip


@pytest.mark.parametrize(("train", "message"), BAD_TRAIN, ids=[m[:30] for _, m in BAD_TRAIN])
def test_bad_spec_fails_naming_file_column_and_problem_and_keeps_build(
    built_model: BuildResult,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    train: dict[str, Any],
    message: str,
) -> None:
    frame = _good_frame()
    frame["one"] = 1
    frame["gaps"] = [0.0, None] + [1.0, 0.0] * 19
    frame["many"] = [str(i) for i in range(40)]
    frame["names"] = ["x", "z"] * 20
    data = _table(tmp_path, frame)
    spec = _spec(tmp_path, {"data": str(data), "features": ["a"], **train})
    out = tmp_path / "build"
    out.mkdir()
    previous = {p.name: p.read_bytes() for p in built_model.out_dir.iterdir() if p.is_file()}
    for name, data_bytes in previous.items():
        (out / name).write_bytes(data_bytes)

    code = main(["--spec", str(spec), "--out-dir", str(out)])

    stderr = capsys.readouterr().err
    assert code == 1
    errors = [line for line in stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], stderr
    assert str(tmp_path) in errors[0]  # the file is named
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == previous
    assert not list(tmp_path.glob(".build.*")), "the staging folder is cleaned up"


def test_spec_file_problems_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_text('{"train": {"target": "y"}}')
    with pytest.raises(SpecError, match=r"s\.json: train\.data is required"):
        load_spec(bad)
    bad.write_text('{"both": {}}')
    with pytest.raises(SpecError, match="expected one top-level key, 'train' or 'package'"):
        load_spec(bad)
    with pytest.raises(SpecError, match="spec file not found"):
        load_spec(tmp_path / "nope.toml")


def test_command_line_data_and_target_infer_the_objective(tmp_path: Path) -> None:
    data = _table(tmp_path, _good_frame())
    run = subprocess.run(
        [sys.executable, "-m", "model_build", "--data", str(data), "--target", "y",
         "--categorical", "color", "--out-dir", str(tmp_path / "out")],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "objective inferred from 'y': binary" in run.stderr
    assert json.loads((tmp_path / "out" / "model-card.json").read_text())["labels"] == ["0", "1"]


# --- packaging an existing model -------------------------------------------------------------


def _booster(names: list[str] | None = None) -> xgb.Booster:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3))
    dtrain = xgb.DMatrix(x, label=(x[:, 0] > 0).astype(int), feature_names=names)
    return xgb.train({"objective": "binary:logistic", "nthread": 1}, dtrain, 3)


def test_packaged_ubj_model_gets_names_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "m.ubj"
    _booster().save_model(path)
    result = build(
        out_dir=tmp_path / "out",
        spec=PackageSpec(model=str(path), feature_names=("x", "y", "z"), labels=("no", "yes")),
        log=_quiet,
    )
    card = _card(result)
    assert card["feature_names"] == ["x", "y", "z"] and card["labels"] == ["no", "yes"]
    assert card["sample"]["rows"] == [{"x": 0.0, "y": 0.0, "z": 0.0}]


@pytest.mark.parametrize(
    ("version", "allowed"), [([1, 7, 4], False), ([2, 1, 0], True), ([3, 3, 0], False)]
)
def test_model_from_an_unfaithful_xgboost_version_is_refused(
    tmp_path: Path, version: list[int], allowed: bool
) -> None:
    document = json.loads(bytes(_booster(["x", "y", "z"]).save_raw("json")))
    document["version"] = version
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document))
    if allowed:
        assert load_packaged(PackageSpec(model=str(path))).num_features() == 3
        return
    with pytest.raises(SpecError, match=r"m\.json: saved by XGBoost .* runs 3\.2\.0"):
        load_packaged(PackageSpec(model=str(path)))


def test_legacy_binary_and_unnamed_models_are_refused(tmp_path: Path) -> None:
    legacy = tmp_path / "m.bin"
    legacy.write_bytes(b"binf\x00\x00\x00\x00")
    with pytest.raises(SpecError, match="legacy binary format"):
        load_packaged(PackageSpec(model=str(legacy)))
    unnamed = tmp_path / "u.json"
    _booster().save_model(unnamed)
    with pytest.raises(SpecError, match="stores no feature names; give feature_names"):
        load_packaged(PackageSpec(model=str(unnamed)))


def test_ubj_version_is_read_without_loading(tmp_path: Path) -> None:
    assert model_version(bytes(_booster().save_raw("ubj")), "m.ubj") == (3, 2, 0)


def test_build_error_is_the_base_of_spec_errors() -> None:
    assert issubclass(SpecError, BuildError)


def test_build_from_spec_returns_the_tarball(tmp_path: Path) -> None:
    tarball = build_from_spec(EXAMPLES / "iris.toml", tmp_path / "out", log=_quiet)
    assert tarball == tmp_path / "out" / "model.tar.gz" and tarball.is_file()


def test_command_line_packages_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    _booster().save_model(path)
    out = tmp_path / "out"
    argv = ["--model", str(path), "--feature-names", "a", "b", "c", "--out-dir", str(out)]
    assert main(argv) == 0
    card = json.loads((out / "model-card.json").read_text())
    assert (card["kind"], card["labels"], card["hyperparameters"]) == ("binary", ["0", "1"], None)


def test_parquet_table_trains_the_same_model_as_its_csv(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "loans.csv")
    frame.to_parquet(tmp_path / "loans.parquet")
    spec = {"train": {**_loans_spec(), "data": "loans.parquet"}}
    (tmp_path / "loans.json").write_text(json.dumps(spec))
    from_parquet = _build(tmp_path / "loans.json", tmp_path / "parquet")
    from_csv = _build(EXAMPLES / "loans.toml", tmp_path / "csv")
    assert from_parquet.model_path.read_bytes() == from_csv.model_path.read_bytes()


def _loans_spec() -> dict[str, Any]:
    import tomllib

    return tomllib.loads((EXAMPLES / "loans.toml").read_text())["train"]
