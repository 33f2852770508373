"""How a client command ends: its exit code, or one stderr line and the code its error maps to."""

from __future__ import annotations

import pytest

from clients.cli import Expected, UsageError, run_command
from clients.errors import InvocationError


def raising(error: Exception) -> int:
    raise error


def test_the_commands_own_exit_code_passes_through() -> None:
    assert run_command(lambda: 7) == 7


def test_a_usage_error_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(lambda: raising(UsageError("no region: pass --region"))) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "error: no region: pass --region\n")


def test_an_expected_error_gets_its_prefix_and_code(capsys: pytest.CaptureFixture[str]) -> None:
    unreachable = Expected(errors=(OSError,), prefix="cannot reach the API: ")
    assert run_command(lambda: raising(ConnectionError("refused")), unreachable) == 1
    assert capsys.readouterr().err == "error: cannot reach the API: refused\n"


def test_an_expected_usage_error_overrides_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    deploy_failed = Expected(errors=(UsageError,), prefix="the deploy failed: ")
    assert run_command(lambda: raising(UsageError("no file")), deploy_failed) == 1
    assert capsys.readouterr().err == "error: the deploy failed: no file\n"


@pytest.mark.parametrize(
    ("url", "out"),
    [(None, "424 {}\n"), ("http://x/invocations", "424 {}\nInvoke URL: http://x/invocations\n")],
)
def test_a_failed_invocation_prints_the_answer_then_its_summary(
    capsys: pytest.CaptureFixture[str], url: str | None, out: str
) -> None:
    error = InvocationError(status=424, body="{}", code="ModelError", message="bad", url=url)
    assert run_command(lambda: raising(error)) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (out, "error: ModelError: bad\n")


def test_an_unexpected_error_is_not_swallowed() -> None:
    with pytest.raises(KeyError):
        run_command(lambda: raising(KeyError("x")), Expected(errors=(OSError,)))
