"""SigV4 verification of received requests, recomputed with botocore's own signer.

The server rebuilds the request from what it received (method, path and query, the headers the
client says it signed, the body, its X-Amz-Date) and has `botocore.auth.SigV4Auth` sign it with
the secret it knows for the access key; the two signatures are compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from email.message import Message

from botocore.auth import UNSIGNED_PAYLOAD, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from local_runtime import errors

SERVICE = "sagemaker"
MAX_SKEW = dt.timedelta(minutes=5)
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)


# What a request handler receives (http.client.HTTPMessage is case-insensitive) or a test passes.
Headers = Mapping[str, str] | Message


class _ReceivedRequestSigner(SigV4Auth):
    """Signs exactly the headers the client listed in SignedHeaders (the protocol's rule)."""

    def __init__(self, credentials: Credentials, region: str, signed: HTTPHeaders) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return self._signed


class SigV4Verifier:
    """Checks `Authorization: AWS4-HMAC-SHA256 ...` against a map of access key -> secret."""

    def __init__(
        self,
        *,
        credentials: Mapping[str, str],
        region: str,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.credentials = dict(credentials)
        self.region = region
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def verify(self, *, method: str, path: str, headers: Headers, body: bytes) -> str:
        """Return the caller's access key, or raise the AwsError AWS would answer with.

        `headers` must be case-insensitive (http.client's HTTPMessage is); `path` is the raw
        request target, query included.
        """
        authorization = headers.get("Authorization")
        if not authorization:
            raise errors.missing_token()
        match = _AUTH.match(authorization)
        if match is None:
            raise errors.incomplete_signature(
                "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
                f"parameters. Authorization={authorization}"
            )
        access_key, date, region, service, terminal = _split_scope(match["credential"])
        timestamp = headers.get("X-Amz-Date")
        if not timestamp:
            raise errors.incomplete_signature(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header."
            )
        self._check_time(timestamp)
        if date != timestamp[:8]:
            raise errors.invalid_signature(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                f"from HTTP: '{date}' != '{timestamp[:8]}', from '{timestamp}'."
            )
        if region != self.region:
            raise errors.invalid_signature(
                f"Credential should be scoped to a valid region, not '{region}'. "
            )
        if service != SERVICE or terminal != "aws4_request":
            raise errors.invalid_signature(
                f"Credential should be scoped to correct service: '{SERVICE}'. "
            )
        secret = self.credentials.get(access_key)
        if secret is None:
            raise errors.unrecognized_client()

        signed = HTTPHeaders()
        for name in match["signed"].split(";"):
            values = headers.get_all(name) if hasattr(headers, "get_all") else None
            if values is None:
                value = headers.get(name)
                values = [] if value is None else [value]
            if not values:
                raise errors.invalid_signature()  # it signed a header it did not send
            for value in values:
                signed[name] = value
        content_sha = headers.get("X-Amz-Content-SHA256")
        # botocore's signer trusts this header for the body hash; AWS hashes what it got.
        if (
            content_sha
            and content_sha != UNSIGNED_PAYLOAD
            and not hmac.compare_digest(content_sha.lower(), hashlib.sha256(body).hexdigest())
        ):
            raise errors.invalid_signature()

        request = AWSRequest(
            method=method, url=f"http://{headers.get('Host', '')}{path}", data=body
        )
        if content_sha:
            request.headers["X-Amz-Content-SHA256"] = content_sha
        request.context["timestamp"] = timestamp
        signer = _ReceivedRequestSigner(Credentials(access_key, secret), region, signed)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected, match["signature"].lower()):
            raise errors.invalid_signature()
        return access_key

    def _check_time(self, timestamp: str) -> None:
        try:
            signed_at = dt.datetime.strptime(timestamp, _TIMESTAMP).replace(tzinfo=dt.UTC)
        except ValueError:
            raise errors.incomplete_signature(
                f"Date must be in ISO-8601 'basic format'. Got '{timestamp}'. "
                "See http://en.wikipedia.org/wiki/ISO_8601"
            ) from None
        now = self._clock()
        stamp = now.strftime(_TIMESTAMP)
        if signed_at < now - MAX_SKEW:
            earliest = (now - MAX_SKEW).strftime(_TIMESTAMP)
            raise errors.invalid_signature(
                f"Signature expired: {timestamp} is now earlier than {earliest} ({stamp} - 5 min.)"
            )
        if signed_at > now + MAX_SKEW:
            latest = (now + MAX_SKEW).strftime(_TIMESTAMP)
            raise errors.invalid_signature(
                f"Signature not yet current: {timestamp} is still later than {latest} "
                f"({stamp} + 5 min.)"
            )


def _split_scope(credential: str) -> tuple[str, str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5:
        raise errors.incomplete_signature(
            f"Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{credential}'"
        )
    return parts[0], parts[1], parts[2], parts[3], parts[4]
