"""Load: 100 concurrent clients, 2,000 signed requests in all, through the local front door on
loopback. Every request must succeed; the rate and p99 are printed, never asserted (speed is
measured by `make bench`, not tested)."""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Iterator

import pytest

from local_cloud.local_endpoint import ServingEndpoint, SignedClient, serving
from model_build import BuildResult

CLIENTS = 100
REQUESTS = 2_000
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@pytest.fixture(scope="module")
def endpoint(
    built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServingEndpoint]:
    work_dir = tmp_path_factory.mktemp("load")
    with serving(built_model.tarball, work_dir=work_dir, name="load") as ep:
        yield ep


def test_100_concurrent_clients_get_2000_answers_with_no_error(
    endpoint: ServingEndpoint, built_model: BuildResult, capsys: pytest.CaptureFixture[str]
) -> None:
    card = json.loads(built_model.card_path.read_text())["sample"]
    body = json.dumps({"instances": card["instances"]}).encode()
    expected = card["predictions"]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(CLIENTS + 1)

    def client() -> None:
        connection = SignedClient(endpoint.runtime_url)
        mine: list[float] = []
        start_line.wait()
        for _ in range(REQUESTS // CLIENTS):
            started = time.perf_counter()
            try:
                answer = connection.post(endpoint.path, body, HEADERS)
            except OSError as error:
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")
                continue
            mine.append(time.perf_counter() - started)
            got = json.loads(answer.body).get("predictions") if answer.status == 200 else None
            if got is None or any(abs(a - b) > 1e-6 for a, b in zip(got, expected, strict=True)):
                with lock:
                    failures.append(f"{answer.status}: {answer.body[:200]!r}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started

    assert not any(thread.is_alive() for thread in threads), "clients still waiting after 300 s"
    assert failures == []
    assert len(latencies) == REQUESTS
    ordered = sorted(latencies)
    with capsys.disabled():
        print(
            f"\n[load] {REQUESTS} requests from {CLIENTS} concurrent clients in {elapsed:.1f} s: "
            f"{REQUESTS / elapsed:.0f} req/s, p50 {statistics.median(ordered) * 1e3:.1f} ms, "
            f"p99 {statistics.quantiles(ordered, n=100)[98] * 1e3:.1f} ms, 0 errors"
        )
