"""Handler cost (input_fn + predict_fn + output_fn) against bare ``Booster.inplace_predict``.

Bodies are what a client sends: 4-decimal numbers (10,000 rows of JSON are about 2.4 MB), as
``str`` for exactly ``application/json`` / ``text/csv`` and ``bytes`` for .npy, as the serving
container passes them. Baselines do the same end-to-end work with no validation:
- bare: ``inplace_predict`` on a ready C-ordered float32 array;
- best stdlib path (JSON): ``json.loads`` -> one ``np.asarray(float32)`` -> predict ->
  ``json.dumps``;
- best numpy parse (CSV): the faster in this run of ``np.loadtxt(float32)`` and
  ``np.fromstring(sep=",")``, then predict and one line per probability.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.report import Section, Target, ms, ratio
from benchmarks.timing import compare

SIZES = (1, 100, 10_000)
JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"


def load_handler(model_dir: Path) -> tuple[ModuleType, Any]:
    """The handler shipped in the tarball (``code/inference.py``) and the model it loads."""
    path = model_dir / "code" / "inference.py"
    # Its sibling modules import by name, as after the container's install of code/.
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("benchmarked_inference", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, module.model_fn(str(model_dir))


def sample_rows(rows: int, features: int, *, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(size=(rows, features)), 4).astype(np.float32)


def bodies(batch: np.ndarray) -> dict[str, str | bytes]:
    values = np.round(batch.astype(np.float64), 4).tolist()  # short numbers, as a client sends
    buffer = io.BytesIO()
    np.save(buffer, batch, allow_pickle=False)
    return {
        JSON: json.dumps({"instances": values}),
        CSV: "\n".join(",".join(map(repr, row)) for row in values),
        NPY: buffer.getvalue(),
    }


def _through_handler(handler: ModuleType, model: Any, body: str | bytes, media: str) -> Callable:
    def run() -> object:
        result = handler.output_fn(handler.predict_fn(handler.input_fn(body, media), model), media)
        if not isinstance(result, tuple):  # a Rejection's Response: the benchmark is broken
            raise RuntimeError(f"handler refused the {media} body: {result!r}")
        return result

    return run


def _stdlib_json(model: Any, text: str) -> Callable:
    def run() -> object:
        batch = np.asarray(json.loads(text)["instances"], dtype=np.float32)
        return json.dumps({"predictions": model.inplace_predict(batch).tolist()})

    return run


def _csv_text(prediction: np.ndarray) -> str:
    return "\n".join(map(repr, prediction.tolist())) + "\n"


def _numpy_loadtxt(model: Any, text: str) -> Callable:
    def run() -> object:
        batch = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float32, ndmin=2)
        return _csv_text(model.inplace_predict(batch))

    return run


def _numpy_fromstring(model: Any, text: str, features: int) -> Callable:
    def run() -> object:
        flat = np.fromstring(text.replace("\n", ","), dtype=np.float32, sep=",")
        return _csv_text(model.inplace_predict(flat.reshape(-1, features)))

    return run


def _rounds(rows: int, quick: bool) -> int:
    rounds = 51 if rows < 10_000 else 31
    return max(5, rounds // 5) if quick else rounds


def run(model_dir: Path, *, quick: bool = False, log: Callable[[str], None] = print) -> Section:
    handler, model = load_handler(model_dir)
    features = model.num_features()
    section = Section(
        title="Handler cost",
        method=(
            f"`inference.py` hooks called in-process on the default model "
            f"({model.num_boosted_rounds()} trees, {features} features, nthread 1 as "
            "`model_fn` sets it), against baselines doing the same work. Each size is timed "
            f"in {_rounds(10_000, quick)} to {_rounds(1, quick)} interleaved rounds (a batch "
            "of calls of about 20 ms per candidate and round, order rotated, GC off inside "
            "batches); times are medians over rounds and ratios the median of per-round ratios."
        ),
        headers=(
            "rows",
            "format",
            "bare predict",
            "handler",
            "handler / bare",
            "baseline",
            "baseline / bare",
            "handler / baseline",
        ),
    )
    for rows in SIZES:
        size = f"{rows:,} row{'s' if rows > 1 else ''}"
        batch = sample_rows(rows, features)
        body = bodies(batch)
        candidates: dict[str, Callable[[], object]] = {
            "bare": functools.partial(model.inplace_predict, batch),
            "json": _through_handler(handler, model, body[JSON], JSON),
            "stdlib json": _stdlib_json(model, str(body[JSON])),
            "csv": _through_handler(handler, model, body[CSV], CSV),
            "numpy loadtxt": _numpy_loadtxt(model, str(body[CSV])),
            "numpy fromstring": _numpy_fromstring(model, str(body[CSV]), features),
            "npy": _through_handler(handler, model, body[NPY], NPY),
        }
        log(f"  handler: {rows} rows ...")
        timings = compare(candidates, rounds=_rounds(rows, quick))
        csv_best = min(("numpy loadtxt", "numpy fromstring"), key=timings.median)
        baselines = {"json": "stdlib json", "csv": csv_best, "npy": None}
        for fmt, baseline in baselines.items():
            section.rows.append(
                (
                    f"{rows:,}",
                    fmt.upper(),
                    ms(timings.median("bare")),
                    ms(timings.median(fmt)),
                    ratio(timings.ratio(fmt, "bare")),
                    baseline or "-",
                    ratio(timings.ratio(baseline, "bare")) if baseline else "-",
                    ratio(timings.ratio(fmt, baseline)) if baseline else "-",
                )
            )
        if rows == 1:
            section.targets.append(
                Target("JSON handler / bare predict, 1 row", timings.ratio("json", "bare"), 1.5)
            )
            section.targets.append(
                Target("CSV handler / bare predict, 1 row", timings.ratio("csv", "bare"), 1.5)
            )
        section.targets.append(
            Target(
                f"JSON handler / best stdlib path, {size}",
                timings.ratio("json", "stdlib json"),
                1.2,
            )
        )
        section.targets.append(
            Target(
                f"CSV handler / best numpy parse ({csv_best}), {size}",
                timings.ratio("csv", csv_best),
                1.2,
            )
        )
        if rows == 10_000:
            section.targets.append(
                Target("NPY handler / bare predict, 10,000 rows", timings.ratio("npy", "bare"), 1.3)
            )
            json_size = len(str(body[JSON]).encode()) / 1e6
            section.notes.append(
                f"10,000 rows are {json_size:.1f} MB of JSON, "
                f"{len(str(body[CSV]).encode()) / 1e6:.1f} MB of CSV and "
                f"{len(body[NPY]) / 1e6:.1f} MB of .npy."
            )
    return section


# --- the other example models ------------------------------------------------------------------

EXAMPLE_SPECS = ("iris.toml", "diabetes.json", "loans.toml")
EXAMPLE_SIZES = (1, 10_000)


def example_rows(card: dict[str, Any], rows: int, *, seed: int = 0) -> tuple[list, np.ndarray]:
    """Named rows as a client sends them (category strings, 4-decimal numbers) and the same
    rows as the float32 batch bare ``inplace_predict`` takes (categories as codes)."""
    rng = np.random.default_rng(seed)
    named: list[dict[str, Any]] = [{} for _ in range(rows)]
    coded = np.empty((rows, len(card["features"])), dtype=np.float32)
    for column, feature in enumerate(card["features"]):
        if feature["type"] == "categorical":
            codes = rng.integers(0, len(feature["categories"]), rows)
            values: list[Any] = [feature["categories"][c] for c in codes]
            coded[:, column] = codes
        else:
            values = np.round(rng.normal(size=rows), 4).tolist()
            coded[:, column] = values
        for row, value in zip(named, values, strict=True):
            row[feature["name"]] = value
    return named, coded


def run_examples(work: Path, *, quick: bool = False, log: Callable[[str], None] = print) -> Section:
    """Handler / bare predict for the multiclass, regression and categorical examples."""
    from model_build import build, load_spec

    examples = Path(__file__).resolve().parents[1] / "examples" / "models"
    section = Section(
        title="Handler cost by example model",
        method=(
            "The same in-process timing as above, on the example specs in examples/models/ "
            "(iris: multiclass, 3 labels; diabetes: regression; loans: binary with 2 string "
            "categorical features). Bodies carry random rows: JSON positional "
            '(`[[...]]`), JSON named (`{"instances": [{name: value}]}`), CSV without header '
            "and .npy (categories as codes). Ratios are to bare `inplace_predict` on a ready "
            "float32 batch (categories as codes)."
        ),
        headers=("model", "rows", "bare predict", "JSON", "JSON named", "CSV", "NPY"),
    )
    for name in EXAMPLE_SPECS:
        built = build(out_dir=work / name, spec=load_spec(examples / name), log=lambda _l: None)
        model_dir = work / f"{name}-opt"
        with tarfile.open(built.tarball) as tar:
            tar.extractall(model_dir, filter="data")
        handler, model = load_handler(model_dir)
        card = json.loads(built.card_path.read_text())
        for rows in EXAMPLE_SIZES:
            named, coded = example_rows(card, rows)
            positional = [list(row.values()) for row in named]
            npy = io.BytesIO()
            np.save(npy, coded, allow_pickle=False)
            bodies_by_format: dict[str, tuple[str | bytes, str]] = {
                "json": (json.dumps(positional), JSON),
                "named": (json.dumps({"instances": named}), JSON),
                "csv": ("\n".join(",".join(map(str, row)) for row in positional), CSV),
                "npy": (npy.getvalue(), NPY),
            }
            candidates: dict[str, Callable[[], object]] = {
                "bare": functools.partial(model.inplace_predict, coded)
            }
            for fmt, (body, media) in bodies_by_format.items():
                candidates[fmt] = _through_handler(handler, model, body, media)
            log(f"  handler: {name}, {rows} rows ...")
            timings = compare(candidates, rounds=_rounds(rows, quick))
            section.rows.append(
                (
                    f"{name.split('.')[0]} ({card['kind']})",
                    f"{rows:,}",
                    ms(timings.median("bare")),
                    *(ratio(timings.ratio(f, "bare")) for f in ("json", "named", "csv", "npy")),
                )
            )
    section.notes.append(
        "Named rows and category strings take the handler's general path (values checked one "
        "by one against the model's schema); positional numeric rows keep the fast path."
    )
    return section
