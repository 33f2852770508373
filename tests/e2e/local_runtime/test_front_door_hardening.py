"""Bad requests through the local front door (``python -m local_runtime`` on moto): each gets the
answer AWS gives, and none of them costs a worker: afterwards a good request still answers, from
the same runtime process and the same gunicorn worker pids."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import requests
from hypothesis import given, settings
from requests_aws4auth import AWS4Auth

from local_cloud.local_endpoint import KEY, REGION, SECRET, ServingEndpoint, SignedClient, serving
from model_build import BuildResult
from tests.unit.inference_code.test_inference_fuzz import (
    FUZZ,
    any_accept,
    any_body,
    any_content_type,
)

SIX_MB = 6_291_456
JSON = "application/json"


@pytest.fixture(scope="module")
def endpoint(
    built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServingEndpoint]:
    work_dir = tmp_path_factory.mktemp("front-door-hardening")
    with serving(built_model.tarball, work_dir=work_dir, name="hardening", workers=2) as ep:
        yield ep


@pytest.fixture(scope="module")
def good_body(built_model: BuildResult) -> bytes:
    card = json.loads(built_model.card_path.read_text())
    return json.dumps({"instances": card["sample"]["instances"]}).encode()


@pytest.fixture(scope="module")
def first_pids(endpoint: ServingEndpoint, good_body: bytes) -> tuple[int, int, list[int]]:
    """Runtime, container and worker pids once the container runs (before any bad request)."""
    answer = SignedClient(endpoint.runtime_url).post(
        endpoint.path, good_body, {"Content-Type": JSON}
    )
    assert answer.status == 200, answer.body
    workers = endpoint.worker_pids()
    assert len(workers) == 2  # --workers 2: both must survive what follows
    return endpoint.runtime_pid, endpoint.container()["pid"], workers


def _assert_still_serving(
    endpoint: ServingEndpoint, good_body: bytes, pids: tuple[int, int, list[int]]
) -> None:
    # A few requests, so both workers get at least one chance to show they are alive.
    client = SignedClient(endpoint.runtime_url)
    for _ in range(4):
        answer = client.post(endpoint.path, good_body, {"Content-Type": JSON, "Accept": JSON})
        assert answer.status == 200, answer.body
        assert len(json.loads(answer.body)["predictions"]) == 3
    client.close()
    assert (endpoint.runtime_pid, endpoint.container()["pid"], endpoint.worker_pids()) == pids


# --- the catalogue of bad requests -----------------------------------------------------------


def _signed(
    endpoint: ServingEndpoint, body: bytes, content_type: str = JSON, accept: str = JSON
) -> tuple[int, dict[str, str], bytes]:
    answer = SignedClient(endpoint.runtime_url).post(
        endpoint.path, body, {"Content-Type": content_type, "Accept": accept}
    )
    return answer.status, answer.headers, answer.body


def _aws4auth(
    endpoint: ServingEndpoint,
    body: bytes,
    *,
    secret: str = SECRET,
    signed_at: dt.timedelta | None = None,
    tamper: Callable[[requests.PreparedRequest], None] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": JSON}
    if signed_at is not None:
        headers["X-Amz-Date"] = (dt.datetime.now(dt.UTC) + signed_at).strftime("%Y%m%dT%H%M%SZ")
    url = endpoint.runtime_url + endpoint.path
    prepared = AWS4Auth(KEY, secret, REGION, "sagemaker")(
        requests.Request("POST", url, data=body, headers=headers).prepare()
    )
    if tamper is not None:
        tamper(prepared)
    with requests.Session() as session:
        response = session.send(prepared, timeout=60)
    return (
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        response.content,
    )


def _raw(endpoint: ServingEndpoint, head: str, chunks: Iterator[bytes]) -> tuple[int, dict, bytes]:
    """Write a request by hand (oversized or chunked bodies) and read the answer."""
    host, port = endpoint.runtime_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head.encode("latin-1"))
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading it all: that is the point
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def _oversized_content_length(endpoint: ServingEndpoint, _body: bytes) -> tuple[int, dict, bytes]:
    head = (
        f"POST {endpoint.path} HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON}\r\n"
        f"Content-Length: {SIX_MB + 1}\r\n\r\n"
    )
    return _raw(endpoint, head, iter([b"0" * (1 << 20)] * 7))


def _oversized_chunked(endpoint: ServingEndpoint, _body: bytes) -> tuple[int, dict, bytes]:
    head = (
        f"POST {endpoint.path} HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (1 << 20, b"1" * (1 << 20))
    return _raw(endpoint, head, iter([chunk] * 7 + [b"0\r\n\r\n"]))


def _npy(array: Any) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _flip_signature(prepared: requests.PreparedRequest) -> None:
    auth = prepared.headers["Authorization"]
    prepared.headers["Authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")


def _swap_body(prepared: requests.PreparedRequest) -> None:
    prepared.body = b'{"instances": [[0]]}'
    prepared.headers["Content-Length"] = str(len(prepared.body))


OBJECT_ROW = np.array([None] * 30, dtype=object).reshape(1, 30)

# (id, send, expected status, expected error code or original status)
BAD_REQUESTS: list[Any] = [
    ("malformed-json", lambda ep, b: _signed(ep, b"{\"instances\": [1,"), 424, 400),
    ("wrong-feature-count", lambda ep, b: _signed(ep, b"[[1, 2, 3]]"), 424, 400),
    ("nan-in-csv", lambda ep, b: _signed(ep, b"nan" + b",1" * 29, "text/csv"), 424, 400),
    ("binary-as-json", lambda ep, b: _signed(ep, bytes(range(256))), 424, 400),
    ("empty-body", lambda ep, b: _signed(ep, b""), 424, 400),
    ("truncated-npy", lambda ep, b: _signed(ep, _npy(np.ones((2, 30)))[:-5], "application/x-npy"),
     424, 400),
    ("object-npy", lambda ep, b: _signed(ep, _npy(OBJECT_ROW), "application/x-npy"), 424, 400),
    ("unsupported-content-type", lambda ep, b: _signed(ep, b, "application/xml"), 424, 415),
    ("unsatisfiable-accept", lambda ep, b: _signed(ep, b, JSON, "image/png"), 424, 406),
    ("unsigned", lambda ep, b: _unsigned(ep, b), 403, "MissingAuthenticationTokenException"),
    ("expired", lambda ep, b: _aws4auth(ep, b, signed_at=dt.timedelta(minutes=-16)), 403,
     "InvalidSignatureException"),
    ("tampered-signature", lambda ep, b: _aws4auth(ep, b, tamper=_flip_signature), 403,
     "InvalidSignatureException"),
    ("tampered-body", lambda ep, b: _aws4auth(ep, b, tamper=_swap_body), 403,
     "InvalidSignatureException"),
    ("wrong-secret", lambda ep, b: _aws4auth(ep, b, secret="not-the-secret"), 403,
     "InvalidSignatureException"),
    ("over-6-mb-content-length", _oversized_content_length, 413, None),
    ("over-6-mb-chunked", _oversized_chunked, 413, None),
]  # fmt: skip


def _unsigned(endpoint: ServingEndpoint, body: bytes) -> tuple[int, dict, bytes]:
    response = requests.post(
        endpoint.runtime_url + endpoint.path, data=body, headers={"Content-Type": JSON}, timeout=60
    )
    return (
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        response.content,
    )


@pytest.mark.parametrize(
    ("send", "status", "detail"),
    [pytest.param(send, status, detail, id=name) for name, send, status, detail in BAD_REQUESTS],
)
def test_a_bad_request_gets_its_error_and_costs_no_worker(
    endpoint: ServingEndpoint,
    good_body: bytes,
    first_pids: tuple[int, int, list[int]],
    send: Callable[[ServingEndpoint, bytes], tuple[int, dict[str, str], bytes]],
    status: int,
    detail: int | str | None,
) -> None:
    got_status, headers, body = send(endpoint, good_body)
    assert got_status == status, body[:300]
    if status == 413:
        assert body == f"HTTP content length exceeded {SIX_MB} bytes.".encode()
    elif status == 424:
        error = json.loads(body)
        assert headers["x-amzn-errortype"] == "ModelError"
        assert error["OriginalStatusCode"] == detail
        original = json.loads(error["OriginalMessage"])
        assert original["error"] and original["message"]
    else:
        assert headers["x-amzn-errortype"].split(":")[0] == detail
        assert json.loads(body)["message"]
    _assert_still_serving(endpoint, good_body, first_pids)


@settings(FUZZ, max_examples=100)
@given(body=any_body, content_type=any_content_type, accept=any_accept)
def test_any_signed_request_is_answered_200_or_a_424_carrying_a_4xx_never_5xx(
    endpoint: ServingEndpoint,
    first_pids: tuple[int, int, list[int]],
    body: str | bytes,
    content_type: str,
    accept: str | None,
) -> None:
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    headers = {"Content-Type": content_type}
    if accept is not None:
        headers["Accept"] = accept
    answer = SignedClient(endpoint.runtime_url).post(endpoint.path, data, headers)
    if answer.status != 200:
        assert answer.status == 424, answer.body[:300]
        assert 400 <= json.loads(answer.body)["OriginalStatusCode"] < 500


def test_after_the_fuzzing_the_same_workers_still_serve(
    endpoint: ServingEndpoint, good_body: bytes, first_pids: tuple[int, int, list[int]]
) -> None:
    _assert_still_serving(endpoint, good_body, first_pids)
