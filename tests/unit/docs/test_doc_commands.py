"""The README runner's own guarantees, checked without a cloud: a failing block fails the test
with its text and output, a wrong transcript fails it, and no command runs pointed at an
endpoint that is not local, or with credentials and no local endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.doc_blocks import PAGES, Block
from tests.support.doc_commands import exports, require_local, run_block, user_env
from tests.support.paths import REPO

REMOTE = "https://cloudformation.us-east-1.amazonaws.com"


def _run(tmp_path: Path, text: str, *, output: str | None = None, **env: str) -> str:
    """The failure message of running `text` as a block (the test expects it to fail)."""
    block = Block(page="page.md", line=7, text=text, output=output)
    with pytest.raises(pytest.fail.Exception) as failed:
        run_block(block, cwd=tmp_path, env={**user_env(tmp_path), **env}, log=tmp_path / "b.log")
    return str(failed.value)


def test_a_failing_command_fails_with_the_block_and_its_output(tmp_path: Path) -> None:
    message = _run(tmp_path, "echo first\nfalse\necho never\n")
    assert "page.md:7: the block exited 1" in message
    assert "echo first\nfalse\necho never\n" in message  # the block
    assert "first" in message.split("--- output")[1]
    assert "never\n" not in message.split("--- output")[1]  # -e: stopped at `false`


def test_a_failing_pipe_or_unset_variable_fails_the_block(tmp_path: Path) -> None:
    assert "exited 1" in _run(tmp_path, "false | cat\n")  # pipefail
    assert "exited 1" in _run(tmp_path, 'echo "$NOT_SET_ANYWHERE"\n')  # -u


def test_a_transcript_that_differs_fails_naming_the_line(tmp_path: Path) -> None:
    message = _run(tmp_path, "echo '200 {}'\n", output="403 ...\n")
    assert "no line like '403 ...'" in message


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("echo ran\n", {"AWS_ENDPOINT_URL": REMOTE}),
        (f"export AWS_ENDPOINT_URL={REMOTE}\necho ran\n", {}),
        ("echo ran\n", {"AWS_ACCESS_KEY_ID": "AKIAREAL"}),  # credentials, no local endpoint
        ("echo ran\n", {"AWS_PROFILE": "prod"}),
    ],
)
def test_no_command_runs_unless_aws_is_the_local_cloud(
    tmp_path: Path, text: str, env: dict[str, str]
) -> None:
    message = _run(tmp_path, text, **env)
    assert "exited 97" in message and "refusing to run" in message
    assert "ran\n" not in message.split("--- output")[1]


def test_the_local_cloud_and_no_credentials_are_allowed(tmp_path: Path) -> None:
    local = {"AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_ACCESS_KEY_ID": "testing"}
    block = Block(page="page.md", line=1, text="echo ran\n", output="ran\n")
    for env in (local, {}):
        result = run_block(
            block, cwd=tmp_path, env={**user_env(tmp_path), **env}, log=tmp_path / "b.log"
        )
        assert result.returncode == 0


def test_a_new_shell_has_no_aws_settings_and_no_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "prod")
    monkeypatch.setenv("AWS_ENDPOINT_URL", REMOTE)
    monkeypatch.setenv("MAKELEVEL", "1")
    monkeypatch.setenv("PATH", f"{REPO}/.venv/bin:/usr/bin:{REPO}/node_modules/.bin")
    env = user_env(tmp_path)
    assert not {"AWS_PROFILE", "AWS_ENDPOINT_URL", "MAKELEVEL"} & env.keys()
    assert env["PATH"] == "/usr/bin"
    assert not Path(env["AWS_CONFIG_FILE"]).exists()
    with pytest.raises(pytest.fail.Exception, match="not the local cloud"):
        require_local({"AWS_ENDPOINT_URL": REMOTE})
    require_local({"AWS_ENDPOINT_URL": "http://localhost:4566"})


def test_exports_are_what_eval_make_env_sets() -> None:
    printed = "make[1]: Entering directory '/x'\nexport A=1\nexport B='two words'\n# comment\n"
    assert exports(printed) == {"A": "1", "B": "two words"}


def test_every_page_that_is_run_has_its_e2e_test() -> None:
    tests = "".join(p.read_text() for p in (REPO / "tests" / "e2e").rglob("test_*commands.py"))
    for page in PAGES:
        assert f'page("{page.path}")' in tests, page.path
