"""Write the settings' JSON Schema and the configuration reference from the models.

python -m stacks.settings.schema           # writes both (make schema)
python -m stacks.settings.schema --check   # exits 1 when a committed file is stale
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from stacks.settings.endpoint import EndpointSettings
from stacks.settings.reference import configuration_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA_FILE = DOCS / "settings.schema.json"
REFERENCE_FILE = DOCS / "configuration.md"


def json_schema() -> dict[str, Any]:
    """A config file's schema (context strings such as "4" are read before validation)."""
    schema = _without_titles(EndpointSettings.model_json_schema())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "settings.schema.json",
        **schema,
    }


def _without_titles(node: Any) -> Any:
    """pydantic titles every field after its name ("Errors 5Xx Threshold"): noise here.
    (A property named "title" would hold a schema, not a string, and stay.)"""
    if isinstance(node, dict):
        return {
            key: _without_titles(value)
            for key, value in node.items()
            if not (key == "title" and isinstance(value, str))
        }
    if isinstance(node, list):
        return [_without_titles(item) for item in node]
    return node


def generated() -> dict[Path, str]:
    return {
        SCHEMA_FILE: json.dumps(json_schema(), indent=2) + "\n",
        REFERENCE_FILE: configuration_markdown(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    stale = [path for path, text in generated().items() if _read(path) != text]
    if args.check:
        for path in stale:
            print(f"{_shown(path)} is stale: run `make schema`")
        return 1 if stale else 0
    for path, text in generated().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {_shown(path)}")
    return 0


def _shown(path: Path) -> Path:
    return path.relative_to(DOCS.parent) if path.is_relative_to(DOCS.parent) else path


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


if __name__ == "__main__":
    raise SystemExit(main())
