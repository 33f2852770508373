"""Named, timed stages for the demo: `==> <stage>` on start, its time on finish, and a failure
that says which stage broke and why. SIGTERM and SIGHUP become an exception so every `finally`
runs (Ctrl-C already raises KeyboardInterrupt)."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO


class StageFailed(Exception):
    def __init__(self, stage: str, reason: str) -> None:
        self.stage = stage
        self.reason = reason
        super().__init__(f"stage '{stage}' failed: {reason}")


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM/SIGHUP; a BaseException like KeyboardInterrupt."""


class StageRunner:
    def __init__(self, *, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.current: str | None = None
        self.timings: list[tuple[str, float]] = []
        self._started = time.monotonic()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.current = name
        self._print(f"==> {name}")
        start = time.monotonic()
        try:
            yield
        except StageFailed:
            raise
        except Exception as exc:
            raise StageFailed(name, str(exc) or type(exc).__name__) from exc
        finally:
            elapsed = time.monotonic() - start
            self.timings.append((name, elapsed))
        self.current = None  # kept on any exception: the report names the stage that broke
        self._print(f"    {name}: {elapsed:.1f} s")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)


@contextmanager
def signals_raise() -> Iterator[None]:
    """While active, SIGTERM and SIGHUP raise `Terminated` instead of killing the process."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
