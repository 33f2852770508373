"""Where the repository is, for tests that read its files (examples, README, the handler)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
