"""python -m benchmarks [--only handler,endpoint,lifecycle,batch] [--quick] [--output FILE]

Runs the benchmarks, prints each section as it finishes and writes the Markdown report.
`--quick` takes fewer rounds (a smoke run, not for publishing).
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks import batch, endpoint, handler, lifecycle, machine
from benchmarks.report import Section, render_document, render_section
from model_build import build

REPO_ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("handler", "endpoint", "lifecycle", "batch")


def _sections(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"choose from {', '.join(SECTIONS)}; got {', '.join(unknown) or 'nothing'}"
        )
    return chosen


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only",
        type=_sections,
        default=list(SECTIONS),
        help=f"comma-separated sections (default: {','.join(SECTIONS)})",
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke run")
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO_ROOT / "docs" / "benchmarks.md",
        help="Markdown report (default: docs/benchmarks.md)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    details = machine.describe()
    for name, value in details.items():
        print(f"{name}: {value}")
    sections: list[Section] = []

    def done(section: Section) -> None:
        sections.append(section)
        print("\n" + render_section(section), flush=True)

    with tempfile.TemporaryDirectory(prefix="benchmarks-") as tmp:
        work = Path(tmp)
        built = build(out_dir=work / "model", log=lambda _line: None)  # the default: 100 trees
        model_dir = work / "opt_ml_model"
        with tarfile.open(built.tarball) as tar:
            tar.extractall(model_dir, filter="data")
        if "handler" in args.only:
            print("handler ...", flush=True)
            done(handler.run(model_dir, quick=args.quick))
            done(handler.run_examples(work / "examples", quick=args.quick))
        if "endpoint" in args.only:
            print("endpoint ...", flush=True)
            _, model = handler.load_handler(model_dir)
            for section in endpoint.run(
                built.tarball,
                features=model.num_features(),
                work_dir=work / "endpoint",
                quick=args.quick,
            ):
                done(section)
        if "lifecycle" in args.only:
            print("lifecycle ...", flush=True)
            done(lifecycle.run(work / "lifecycle"))
        if "batch" in args.only:
            print("batch ...", flush=True)
            done(batch.run(built.tarball, model_dir, work / "batch", quick=args.quick))
    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    if args.only != list(SECTIONS):
        command += f" --only {','.join(args.only)}"
    document = render_document(
        machine=details,
        sections=sections,
        command=command,
        elapsed_s=time.perf_counter() - started,
    )
    args.output.write_text(document)
    targets = [t for s in sections for t in s.targets]
    print(f"\nwrote {args.output}: {sum(t.passed for t in targets)} of {len(targets)} targets pass")
    for target in targets:
        print(
            f"  {target.verdict}  {target.name}: {target.measured:.2f}{target.unit} "
            f"(limit {target.limit:g}{target.unit})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
