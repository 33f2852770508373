"""The handler's one error: a bad request, with the HTTP status and JSON body it is answered with.

The container turns any exception in a hook into a 500, and only a ``flask.Response`` returned
from ``output_fn`` can carry a 4xx. So a ``Rejection`` is raised where the problem is found,
caught by the hook (``input_fn``, ``predict_fn``, ``output_fn``) and *returned*, to flow through
to ``output_fn``, which answers with ``response()``.
"""

from __future__ import annotations

import json
from typing import Any

from xgb_content_types import JSON


class Rejection(Exception):
    """A bad request on its way to ``output_fn``, the one hook that can answer with a 4xx."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message

    def __repr__(self) -> str:
        return f"Rejection({self.status}, {self.error!r}, {self.message!r})"

    def response(self) -> Any:
        """A 4xx with a JSON body; Flask is imported here only, on the error path."""
        import flask

        body = json.dumps({"error": self.error, "message": self.message})
        return flask.Response(body, status=self.status, mimetype=JSON)
