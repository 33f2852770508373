"""python -m docs_tools.diagram [--check]: redraw the deployment diagrams in the docs.

Synthesizes the app in process, through app.build() as `cdk synth` does, once per config, and
writes each template's Mermaid flowchart between its markers:
`<!-- diagram:NAME:start -->` ... `<!-- diagram:NAME:end -->`. `--check` writes nothing and
exits 1 when a committed diagram no longer matches its template.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docs_tools.mermaid import template_to_mermaid

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Diagram:
    name: str  # the marker's NAME
    document: Path  # relative to the repository
    config: Path | None  # `-c config=FILE`, None for cdk.json's defaults


DIAGRAMS = (
    Diagram("default", Path("README.md"), None),
    Diagram("production", Path("docs/architecture.md"), Path("examples/production.json")),
    Diagram("public-api", Path("docs/architecture.md"), Path("examples/public-api.json")),
    Diagram("serverless", Path("docs/architecture.md"), Path("examples/serverless.json")),
)


def synth_template(*, artifact: Path, config: Path | None, repo: Path = REPO) -> dict[str, Any]:
    """The stack's template as `cdk synth [-c config=FILE]` writes it (construct paths kept)."""
    # late: `--help` should not start jsii; app first, so its Node-banner silencing comes first
    import app as app_module

    # isort: split
    import aws_cdk as cdk

    context = json.loads((repo / "cdk.json").read_text())["context"]
    # The CLI sets this too; the paths name the construct each resource belongs to.
    context = {**context, "model_artifact": str(artifact), "aws:cdk:enable-path-metadata": True}
    if config is not None:
        context["config"] = str(repo / config)
    with tempfile.TemporaryDirectory(prefix="diagram-") as outdir:
        cdk_app = cdk.App(context=context, outdir=outdir)
        stack = app_module.build(cdk_app)
        template = cdk_app.synth().get_stack_by_name(stack.stack_name).template
    return dict(template)


def block(name: str, mermaid: str) -> str:
    return f"<!-- diagram:{name}:start -->\n```mermaid\n{mermaid}```\n<!-- diagram:{name}:end -->"


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"<!-- diagram:{re.escape(name)}:start -->.*?<!-- diagram:{re.escape(name)}:end -->",
        re.DOTALL,
    )


def committed(text: str, name: str) -> str | None:
    """The Mermaid source between NAME's markers in `text`, or None without markers."""
    match = _pattern(name).search(text)
    if match is None:
        return None
    inner = re.search(r"```mermaid\n(.*?)```", match.group(0), re.DOTALL)
    return inner.group(1) if inner else ""


def replace(text: str, name: str, mermaid: str) -> str:
    if _pattern(name).search(text) is None:
        raise ValueError(f"no <!-- diagram:{name}:start/end --> markers to write between")
    return _pattern(name).sub(lambda _m: block(name, mermaid), text, count=1)


def render_all(artifact: Path, repo: Path = REPO) -> dict[str, str]:
    return {
        d.name: template_to_mermaid(synth_template(artifact=artifact, config=d.config, repo=repo))
        for d in DIAGRAMS
    }


def stale(rendered: dict[str, str], repo: Path = REPO) -> list[str]:
    """`document: name` for every committed diagram that differs from `rendered`."""
    return [
        f"{d.document}: {d.name}"
        for d in DIAGRAMS
        if committed((repo / d.document).read_text(), d.name) != rendered[d.name]
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docs_tools.diagram", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a diagram is stale")
    args = parser.parse_args(argv)
    from model_build import build  # the artefact's bytes only change hashes the picture omits

    with tempfile.TemporaryDirectory(prefix="diagram-model-") as tmp:
        artifact = build(out_dir=Path(tmp), log=lambda _line: None).tarball
        rendered = render_all(artifact)
    if args.check:
        outdated = stale(rendered)
        for entry in outdated:
            print(f"stale diagram: {entry} (run `make diagram`)", file=sys.stderr)
        return 1 if outdated else 0
    for diagram in DIAGRAMS:
        path = REPO / diagram.document
        path.write_text(replace(path.read_text(), diagram.name, rendered[diagram.name]))
        print(f"wrote {diagram.document}: {diagram.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
