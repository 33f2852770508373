"""Everything under tests/e2e starts real servers (moto_server, the local runtime, gunicorn) or
deploys through the CDK CLI: marked `e2e` here, so `pytest -m "not e2e"` skips it by place."""

from __future__ import annotations

from pathlib import Path

import pytest

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Called with every collected item, wherever this conftest sits: mark only our own.
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)
