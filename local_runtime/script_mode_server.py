"""The script-mode server that runs inside each emulated serving container: our emulation of
the sagemaker-xgboost container's script-mode contract, no Docker.

What it reproduces (see docs/sagemaker-facts.md, "The serving container"):
- the user module is imported and ``model_fn`` called lazily, on a worker's first request
  (``/ping`` included); a failure answers 500 and the next request tries again;
- content type = ``ContentType`` header, else ``Content-Type``, else application/json, passed
  verbatim; the body is ``str`` only for exactly application/json or text/csv, else ``bytes``;
- Accept missing or exactly ``*/*`` becomes the default accept, anything else passes verbatim;
- any exception in a hook is a 500 with an HTML body (the traceback goes to stderr only);
- ``output_fn`` may return a Response (as is), a ``(body, mimetype)`` tuple (200) or a bare
  string (text/html);
- gunicorn with one worker per CPU, 60 s worker timeout and OMP_NUM_THREADS=1.

Run: ``python -m local_runtime.script_mode_server --model-dir D --submit-dir S
--program inference.py --port P [--workers N]``, or
``gunicorn 'local_runtime.script_mode_server:app_from_env()'``.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
from werkzeug.exceptions import InternalServerError
from werkzeug.wrappers import Response as WerkzeugResponse

JSON = "application/json"
# The container decodes the body to str only for these exact content-type strings.
TEXT_BODY_TYPES = frozenset({JSON, "text/csv"})
DEFAULT_CONTENT_TYPE = JSON
DEFAULT_ACCEPT = JSON
WORKER_TIMEOUT_S = 60
HOST = "127.0.0.1"

_log = logging.getLogger("local_runtime.script_mode_server")  # also when run as __main__
_module_numbers = itertools.count()


class _Hooks:
    """The user's hooks bound to the loaded model: one call per invocation."""

    def __init__(self, module: ModuleType, model: Any) -> None:
        self.model = model
        self.transform_fn: Callable[..., Any] | None = getattr(module, "transform_fn", None)
        self.input_fn: Callable[..., Any] = getattr(module, "input_fn", _missing("input_fn"))
        self.predict_fn: Callable[..., Any] = getattr(module, "predict_fn", _missing("predict_fn"))
        self.output_fn: Callable[..., Any] = getattr(module, "output_fn", _missing("output_fn"))

    def invoke(self, body: str | bytes, content_type: str, accept: str) -> Any:
        if self.transform_fn is not None:
            return self.transform_fn(self.model, body, content_type, accept)
        data = self.input_fn(body, content_type)
        prediction = self.predict_fn(data, self.model)
        return self.output_fn(prediction, accept)


def _missing(name: str) -> Callable[..., Any]:
    """Stand-in for an absent hook: the image's defaults (CSV/libsvm) are not emulated."""

    def fail(*_: Any) -> Any:
        raise NotImplementedError(f"the program defines no {name}; the local runtime needs it")

    return fail


class _UserProgram:
    """The program module and its model, loaded once per worker on first use."""

    def __init__(self, *, model_dir: Path, submit_dir: Path, program: str) -> None:
        self._model_dir = model_dir
        self._submit_dir = submit_dir
        self._program = program
        self._lock = threading.Lock()
        self._hooks: _Hooks | None = None

    def hooks(self) -> _Hooks:
        """Import and call ``model_fn`` unless done; on failure nothing is kept, so the next
        request retries from the import (a fixed program or model file is picked up)."""
        with self._lock:
            if self._hooks is None:
                module = _import_program(self._submit_dir / self._program)
                self._hooks = _Hooks(module, _load_model(module, self._model_dir))
            return self._hooks


def _import_program(path: Path) -> ModuleType:
    """Execute the program as a fresh module (no bytecode cache, so an edit is seen at once)."""
    if not path.is_file():
        raise FileNotFoundError(f"program {path} not found")
    # Siblings import by name, as after the container's `pip install` of the code directory.
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    name = f"_sagemaker_program_{next(_module_numbers)}_{path.stem}"
    module = ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        exec(compile(path.read_bytes(), str(path), "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load_model(module: ModuleType, model_dir: Path) -> Any:
    model_fn = getattr(module, "model_fn", None)
    if model_fn is None:
        raise AttributeError(f"{module.__file__} defines no model_fn (mandatory in script mode)")
    has_hooks = [n for n in ("input_fn", "predict_fn", "output_fn") if hasattr(module, n)]
    if hasattr(module, "transform_fn") and has_hooks:
        raise ValueError(f"transform_fn cannot be mixed with {', '.join(has_hooks)}")
    return model_fn(str(model_dir))


def create_app(
    *,
    model_dir: Path,
    submit_dir: Path,
    program: str,
    default_accept: str = DEFAULT_ACCEPT,
) -> flask.Flask:
    """A Flask app with ``GET /ping`` and ``POST /invocations`` over the given program."""
    user = _UserProgram(model_dir=Path(model_dir), submit_dir=Path(submit_dir), program=program)
    app = flask.Flask(__name__)

    @app.get("/ping")
    def ping() -> Any:
        try:
            user.hooks()
        except Exception:
            _log.exception("loading %s failed", program)
            return _internal_error()
        return "", 200

    @app.post("/invocations")
    def invocations() -> Any:
        request = flask.request
        content_type = request.headers.get(
            "ContentType", request.headers.get("Content-Type", DEFAULT_CONTENT_TYPE)
        )
        raw = request.get_data()
        body: str | bytes = (
            raw.decode("utf-8", errors="replace") if content_type in TEXT_BODY_TYPES else raw
        )
        accept = request.headers.get("Accept")
        if accept is None or accept == "*/*":
            accept = default_accept
        try:
            return _as_response(user.hooks().invoke(body, content_type, accept))
        except Exception:
            _log.exception("invocation failed")
            return _internal_error()

    return app


def _as_response(result: Any) -> WerkzeugResponse:
    """Read a hook's result the way the container does."""
    if isinstance(result, WerkzeugResponse):
        return result
    if isinstance(result, tuple):
        # (body, mimetype) only: `return body, 400` fails here as it does in the container.
        body, mimetype = result
        return flask.Response(body, status=200, mimetype=mimetype)
    return flask.make_response(result)  # a bare str or bytes is served as text/html


def _internal_error() -> WerkzeugResponse:
    """The generic HTML 500; details stay in the log, never in the body."""
    return InternalServerError().get_response()


def app_from_env() -> flask.Flask:
    """Factory for gunicorn: ``gunicorn 'local_runtime.script_mode_server:app_from_env()'``."""
    missing = [name for name in ("LOCAL_MODEL_DIR", "SAGEMAKER_PROGRAM") if not os.getenv(name)]
    if missing:
        raise RuntimeError(f"set {' and '.join(missing)} for the local container")
    model_dir = Path(os.environ["LOCAL_MODEL_DIR"])
    return create_app(
        model_dir=model_dir,
        # In the container this is /opt/ml/model/code: the tarball's code/ directory.
        submit_dir=Path(os.getenv("SAGEMAKER_SUBMIT_DIRECTORY") or model_dir / "code"),
        program=os.environ["SAGEMAKER_PROGRAM"],
        default_accept=os.getenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or DEFAULT_ACCEPT,
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be in [0, 65535], got {value}")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local_runtime.script_mode_server",
        description="Serve a script-mode handler like the sagemaker-xgboost container does.",
    )
    parser.add_argument("--model-dir", type=Path, required=True, help="the extracted tarball")
    parser.add_argument(
        "--submit-dir", type=Path, help="directory of the program (default: MODEL_DIR/code)"
    )
    parser.add_argument("--program", default="inference.py", help="default: inference.py")
    parser.add_argument("--port", type=_port, required=True, help="port on 127.0.0.1")
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="gunicorn workers (default: CPU count, like the container)",
    )
    parser.add_argument(
        "--default-accept",
        default=os.getenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or DEFAULT_ACCEPT,
        help="Accept used when the header is missing or */* (default: application/json)",
    )
    args = parser.parse_args(argv)
    if args.submit_dir is None:
        args.submit_dir = args.model_dir / "code"
    for flag, path in (("--model-dir", args.model_dir), ("--submit-dir", args.submit_dir)):
        if not path.is_dir():
            parser.error(f"{flag} {path} is not a directory")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run gunicorn in the foreground; SIGTERM or SIGINT stops it gracefully with status 0."""
    from gunicorn.app.base import BaseApplication  # only the CLI needs gunicorn

    args = parse_args(argv)
    # Inherited by the workers before they import XGBoost, as in the image.
    os.environ["OMP_NUM_THREADS"] = "1"
    # Hook tracebacks in the same shape as gunicorn's own lines, on stderr.
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S %z",
    )

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": f"{HOST}:{args.port}",
                "workers": args.workers,
                "timeout": WORKER_TIMEOUT_S,
                # The image runs gevent workers, which keep connections alive; sync workers close
                # each one, so the front door would reconnect per request. gthread keeps them.
                "worker_class": "gthread",
                "threads": 1,
                "keepalive": 75,
                # Idle keep-alive connections would hold a graceful stop for 30 s.
                "graceful_timeout": 1,
                # gunicorn 25 opens a control socket at one shared path per user by default,
                # so two local servers would collide: this server needs none.
                "control_socket_disable": True,
                "proc_name": "local-sagemaker-container",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> flask.Flask:
            return create_app(
                model_dir=args.model_dir,
                submit_dir=args.submit_dir,
                program=args.program,
                default_accept=args.default_accept,
            )

    _Gunicorn().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
