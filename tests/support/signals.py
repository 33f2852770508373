"""Ctrl-C for a child process, however the suite was started.

A shell starts a background job (`nohup make test &`) with SIGINT ignored, every child inherits
that, and a Python child that starts with SIGINT ignored never raises KeyboardInterrupt: a test
that sends SIGINT would then test nothing but a hang. `Popen(..., preexec_fn=sigint_default)`
gives the child the default disposition a terminal's foreground job has.
"""

from __future__ import annotations

import signal


def sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
