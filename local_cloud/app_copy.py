"""A throwaway copy of the CDK app, so a local run writes build/ and cdk.out/ outside the repo."""

from __future__ import annotations

import shutil
from pathlib import Path

from local_cloud.runtime_process import REPO_ROOT

# What `cdk deploy` needs: the app, its config, the shared names, the stack code and the build
# step's inputs (the example model specs included).
APP_PARTS = (
    "app.py",
    "cdk.json",
    "constants.py",
    "stacks",
    "model_build",
    "inference_code",
    "examples",
)


def copy_app(dest: Path, *, source: Path = REPO_ROOT) -> Path:
    """Copy the app into `dest` (created) and link the pinned CDK CLI's node_modules."""
    dest.mkdir(parents=True)
    for part in APP_PARTS:
        if (source / part).is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(source / part, dest / part, ignore=ignore)
        else:
            shutil.copy2(source / part, dest / part)
    (dest / "node_modules").symlink_to((source / "node_modules").resolve())
    return dest
