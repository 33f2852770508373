"""Every ```bash block of docs/public-api.md runs green against the local cloud, in order
(tests/support/doc_commands.py)."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_commands import page, run_page


def test_public_api_command_blocks_run_green_on_the_local_cloud(tmp_path: Path) -> None:
    run_page(page("docs/public-api.md"), tmp_path)
