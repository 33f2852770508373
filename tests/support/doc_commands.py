"""Run a page's command blocks the way a user pastes them, against the local cloud.

Each ```bash block runs in a fresh `bash -euo pipefail` (so a block that needs the venv
activates it), in document order, in a throwaway copy of the repository (its own
`.local-cloud`, ports and session marker, so xdist workers never meet). Nothing can reach a real
account: the blocks get no AWS variables, profile or credentials file but the local cloud's, and
a bash guard stops a block before any command that would run with `AWS_ENDPOINT_URL` pointing
elsewhere.

A page either starts its own cloud (its blocks run `make up` ... `make down`) or is run "after
`make up`": the runner runs `make up` in the copy and gives every block what `make env`
exports, as the user's `eval "$(make env)"` does. Markers (doc_blocks.py) skip a block, with a
reason, or check the transcript shown after it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from constants import LOCAL_REGION
from local_cloud import session
from local_cloud.cdk import CdkCli
from local_cloud.commands import Completed, run_command
from tests.support.doc_blocks import PAGES, Block, Page, bash_blocks, transcript_mismatch
from tests.support.paths import REPO

LOCAL_HOSTS = ("localhost", "127.0.0.1")
# Runs before every command of a block (bash's DEBUG trap): a command may run with no endpoint
# override and no credentials (make, source, the build), or pointed at the local cloud; never
# with an endpoint elsewhere or credentials and no endpoint (that would be a real account).
GUARD = r"""
__readme_test_local_only() {
  case "${AWS_ENDPOINT_URL-}" in
    http://localhost:*|http://127.0.0.1:*) return 0 ;;
    "") [ -z "${AWS_ACCESS_KEY_ID-}${AWS_PROFILE-}" ] && return 0 ;;
  esac
  echo "readme-test: refusing to run a command with AWS_ENDPOINT_URL='${AWS_ENDPOINT_URL-}'" \
       "(not the local cloud)" >&2
  exit 97
}
trap __readme_test_local_only DEBUG
"""
BLOCK_TIMEOUT = 600.0


def copy_repo(dest: Path) -> Path:
    """The repository as a fresh clone has it (tracked and new, not ignored, files), with the
    shared, installed venv and node_modules linked in."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted but not yet staged is still listed
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)  # keeps mtimes: `make install` stays a no-op
    for shared in (".venv", "node_modules"):
        (dest / shared).symlink_to((REPO / shared).resolve())
    return dest


def user_env(tmp: Path) -> dict[str, str]:
    """A new shell's environment: no AWS or CDK variables, no profile or credentials files, no
    venv on PATH (a block that needs it activates it), not inside a make."""
    dropped = ("AWS_", "CDK_", "VIRTUAL_ENV", "MAKE", "MFLAGS", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and not _project_bin(p)]
    env["PATH"] = os.pathsep.join(path)
    env["AWS_CONFIG_FILE"] = str(tmp / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp / "no-aws-credentials")
    return env


def _project_bin(entry: str) -> bool:
    return entry.rstrip("/").endswith((".venv/bin", "node_modules/.bin"))


def exports(make_env_output: str) -> dict[str, str]:
    """What `eval "$(make env)"` sets: its `export K=V` lines."""
    values = {}
    for line in make_env_output.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, value = words[1].split("=", 1)
            values[key] = value
    return values


def require_local(env: dict[str, str]) -> None:
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    if urlsplit(endpoint).hostname not in LOCAL_HOSTS:
        pytest.fail(f"refusing to run: AWS_ENDPOINT_URL={endpoint!r} is not the local cloud")


def run(cmd: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> Completed:
    return run_command(cmd, cwd=cwd, env=env, log_path=log, timeout=BLOCK_TIMEOUT)


def run_block(block: Block, *, cwd: Path, env: dict[str, str], log: Path) -> Completed:
    result = run(["bash", "-euo", "pipefail", "-c", GUARD + block.text], cwd=cwd, env=env, log=log)
    tail = result.tail(60)
    if result.returncode != 0:
        pytest.fail(
            f"{block.where}: the block exited {result.returncode}\n--- block ---\n{block.text}"
            f"--- output (last lines) ---\n{tail}",
            pytrace=False,
        )
    if block.output is not None:
        missing = transcript_mismatch(block.output, result.output)
        if missing is not None:
            pytest.fail(
                f"{block.where}: the transcript shown after the block does not match: no line "
                f"like {missing!r}\n--- block ---\n{block.text}--- output ---\n{result.output}",
                pytrace=False,
            )
    return result


def page(path: str) -> Page:
    return next(p for p in PAGES if p.path == path)


@contextlib.contextmanager
def repo_copy(tmp_path: Path) -> Iterator[Path]:
    """A copy of the repository whose `make install` has nothing to do; on exit, whatever a
    failing block left running is stopped (`make down`, by session marker)."""
    copy = copy_repo(tmp_path / "repo")
    up_to_date = subprocess.run(
        ["make", "--question", "install"], cwd=copy, env=user_env(tmp_path), check=False
    )
    if up_to_date.returncode != 0:  # never reinstall the shared venv from a test
        pytest.fail("`make install` has work to do: install first (make install), then run this")
    try:
        yield copy
    finally:
        session.down(copy / ".local-cloud")


def run_page(page: Page, tmp_path: Path) -> None:
    """Every block of `page` that is not marked skip, in order; fails on the first that fails."""
    blocks = bash_blocks(REPO / page.path, page=page.path)
    to_run = [block for block in blocks if block.skip is None]
    assert to_run, f"{page.path} has no command block to run"
    uses_up = any(re.search(r"^\s*make up\b", b.text, re.MULTILINE) for b in to_run)
    assert uses_up == page.starts_cloud, f"{page.path}: does it start its own cloud?"
    logs = tmp_path / "logs"
    with repo_copy(tmp_path) as copy:
        env = user_env(tmp_path)
        if not page.starts_cloud:
            env = after_make_up(page, copy, env, logs)
        for number, block in enumerate(to_run):
            run_block(block, cwd=copy, env=env, log=logs / f"block-{number}.log")
        if page.starts_cloud:  # its own `make down` stopped everything its `make up` started
            assert session.session_groups(copy / ".local-cloud") == {}


def after_make_up(page: Page, copy: Path, env: dict[str, str], logs: Path) -> dict[str, str]:
    """`make up`, then `env` with what `eval "$(make env)"` exports (and the account
    bootstrapped, for a page that assumes it)."""
    up = run(["make", "up"], cwd=copy, env=env, log=logs / "make-up.log")
    assert up.returncode == 0, up.output
    printed = run(["make", "env"], cwd=copy, env=env, log=logs / "make-env.log")
    assert printed.returncode == 0, printed.output
    env = {**env, **exports(printed.output)}
    require_local(env)
    if page.bootstrap:
        work = copy / ".local-cloud" / "bootstrap"
        cdk = CdkCli(app_dir=copy, work_dir=work, env=env, log_dir=logs)
        cdk.bootstrap(region=env.get("AWS_REGION", LOCAL_REGION))
    return env
