"""Stages print their name and time, name themselves when they fail, and turn signals into
exceptions so cleanup runs."""

from __future__ import annotations

import io
import os
import re
import signal

import pytest

from local_cloud.stages import StageFailed, StageRunner, Terminated, signals_raise


def test_stage_prints_its_name_then_its_time() -> None:
    out = io.StringIO()
    runner = StageRunner(out=out)
    with runner.stage("deploy"):
        pass
    lines = out.getvalue().splitlines()
    assert lines[0] == "==> deploy"
    assert re.fullmatch(r" {4}deploy: \d+\.\d s", lines[1])
    assert [name for name, _ in runner.timings] == ["deploy"]


def test_a_failing_stage_names_itself_and_the_reason() -> None:
    runner = StageRunner(out=io.StringIO())
    with pytest.raises(StageFailed) as caught, runner.stage("bootstrap"):
        raise RuntimeError("cdk bootstrap exited with 1")
    assert caught.value.stage == runner.current == "bootstrap"
    assert str(caught.value) == "stage 'bootstrap' failed: cdk bootstrap exited with 1"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_signals_raise_so_cleanup_runs(signum: signal.Signals) -> None:
    before = signal.getsignal(signum)
    cleaned = []
    with pytest.raises(Terminated, match=signum.name), signals_raise():
        try:
            os.kill(os.getpid(), signum)  # the handler runs in this thread, right here
        finally:
            cleaned.append(True)
    assert cleaned == [True]
    assert signal.getsignal(signum) == before
