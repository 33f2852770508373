"""Every ```bash block of the README runs green against the local cloud, after `make up`, in
order: install, activate, bootstrap, deploy (a change set), predict, call-raw, destroy,
verify-teardown (tests/support/doc_commands.py says how; the docs pages' own tests are in
tests/e2e/docs/, one file each so xdist runs the pages side by side)."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_commands import page, run_page


def test_readme_command_blocks_run_green_on_the_local_cloud(tmp_path: Path) -> None:
    run_page(page("README.md"), tmp_path)
