"""docs/local-cloud.md names every variable `make env` exports."""

from __future__ import annotations

from local_cloud.session import EXPORTED
from tests.support.paths import REPO


def test_the_page_names_every_exported_variable() -> None:
    page = (REPO / "docs" / "local-cloud.md").read_text(encoding="utf-8")
    assert [name for name in EXPORTED if f"`{name}`" not in page] == []
