"""One error type for a failed invocation, whichever client made the call.

boto3 raises `ClientError` and the raw SigV4 call gets an HTTP response; both become an
`InvocationError` carrying the HTTP status, the error code, the response body and, for a
`ModelError` (the container answered non-2xx), the container's own status and message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class InvocationError(Exception):
    def __init__(
        self,
        *,
        status: int,
        body: str,
        code: str | None = None,
        message: str | None = None,
        original_status: int | None = None,
        original_message: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.url = url
        self.body = body
        self.code = code
        self.message = message
        self.original_status = original_status
        self.original_message = original_message
        super().__init__(self.summary())

    def summary(self) -> str:
        """One line: the code and message, or for a ModelError what the container answered."""
        code = self.code or f"HTTP {self.status}"
        if self.original_status is not None:
            return (
                f"{code}: OriginalStatusCode={self.original_status} "
                f"OriginalMessage={self.original_message}"
            )
        return f"{code}: {self.message or self.body}"

    @classmethod
    def from_http(
        cls, *, status: int, headers: Mapping[str, str], body: str, url: str | None = None
    ) -> InvocationError:
        """From a raw runtime response: code from `x-amzn-ErrorType` or the body's `__type`."""
        fields = _json_object(body)
        code = headers.get("x-amzn-ErrorType") or fields.get("__type") or fields.get("code")
        if isinstance(code, str):
            code = code.split(":")[0].split("#")[-1] or None
        return cls(
            status=status,
            body=body,
            code=code if isinstance(code, str) else None,
            message=_first_str(fields, "message", "Message"),
            original_status=_int_or_none(fields.get("OriginalStatusCode")),
            original_message=_first_str(fields, "OriginalMessage"),
            url=url,
        )

    @classmethod
    def from_client_error(
        cls, response: Mapping[str, Any], *, raw_body: str | None
    ) -> InvocationError:
        """From botocore's parsed error; a ModelError's modelled fields sit at the top level."""
        error = response.get("Error", {})
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        code = error.get("Code")
        message = error.get("Message")
        if raw_body is None:
            raw_body = json.dumps({"__type": code, "message": message})
        return cls(
            status=status,
            body=raw_body,
            code=code,
            message=message,
            original_status=_int_or_none(response.get("OriginalStatusCode")),
            original_message=response.get("OriginalMessage"),
        )


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _first_str(fields: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        if isinstance(fields.get(key), str):
            return str(fields[key])
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
