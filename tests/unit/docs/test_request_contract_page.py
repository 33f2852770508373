"""docs/request-contract.md names every error code the handler answers and every media type it
reads or writes: read from the handler's own source, so a new code or type cannot go unlisted."""

from __future__ import annotations

import ast

from tests.support.paths import REPO

HANDLER = REPO / "inference_code"
PAGE = (REPO / "docs" / "request-contract.md").read_text()


def _error_codes() -> set[str]:
    """The `error` of every `Rejection(status, error, message)` in the handler."""
    codes = set()
    for module in HANDLER.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Rejection"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                codes.add(node.args[1].value)
    return codes


def _media_types() -> set[str]:
    tree = ast.parse((HANDLER / "xgb_content_types.py").read_text())
    return {
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and "/" in node.value.value
    }


def test_the_handler_has_codes_and_types_to_check() -> None:
    assert {"invalid_json", "unknown_category"} <= _error_codes()
    assert {"application/json", "application/jsonlines"} <= _media_types()


def test_every_error_code_is_listed() -> None:
    assert sorted(c for c in _error_codes() if f"`{c}`" not in PAGE) == []


def test_every_media_type_is_listed() -> None:
    assert sorted(t for t in _media_types() if f"`{t}`" not in PAGE) == []
