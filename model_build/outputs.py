"""What a build leaves in its out dir, and how it is put there: one rename per output, so a
failed build (or a failed copy from the cache) leaves the previous outputs intact."""

from __future__ import annotations

import os
from pathlib import Path

MODEL_DIR = "model"
TARBALL = "model.tar.gz"
CARD = "model-card.json"
OUTPUTS = (MODEL_DIR, TARBALL, CARD)


def move_into_place(staging: Path, out_dir: Path) -> None:
    """Replace the three outputs from `staging`; other files in `out_dir` are left alone (the
    previous model folder goes into `staging`, which the caller removes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    old_model = out_dir / MODEL_DIR
    if old_model.exists():
        os.replace(old_model, staging / "previous-model")
    os.replace(staging / MODEL_DIR, old_model)
    for name in (TARBALL, CARD):
        os.replace(staging / name, out_dir / name)
