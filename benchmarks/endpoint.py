"""The local endpoint: latency and throughput through the signed front door against a bare HTTP
server answering the same bytes, plus the peak memory of a serving worker.

Three targets, each its own process on loopback, called by the same client (one keep-alive
connection, every request signed with botocore's SigV4 even where nobody checks it):
- front door: ``python -m local_runtime`` (SigV4 check, endpoint lookup on the moto control
  plane, forward to the gunicorn container, handler, model);
- container: the same gunicorn container called directly, unsigned (what the front door adds);
- bare: ``python -m benchmarks.bare_server`` answering the front door's own response bytes.
"""

from __future__ import annotations

import functools
import json
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.report import TIMES, Section, Target, ratio
from benchmarks.timing import percentile
from local_cloud.local_endpoint import (
    SignedClient,
    children,
    health,
    invocations_path,
    python_server,
    serving,
    status_kb,
)

ENDPOINT = "bench"
SIZES = (1, 100)
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _body(rows: int, features: int) -> bytes:
    batch = np.round(np.random.default_rng(rows).normal(size=(rows, features)), 4)
    return json.dumps({"instances": batch.tolist()}).encode()


def _latencies(
    targets: dict[str, Callable[[], object]], *, rounds: int, per_round: int
) -> dict[str, list[float]]:
    """Per-request seconds, the targets interleaved round by round (order rotated)."""
    samples: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for round_no in range(rounds):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            call = targets[name]
            for _ in range(per_round):
                start = time.perf_counter()
                call()
                samples[name].append(time.perf_counter() - start)
    return samples


def _throughput(
    make_call: Callable[[], Callable[[], object]], *, clients: int, total: int
) -> float:
    """Requests per second with ``clients`` threads, each on its own keep-alive connection."""
    per_client = total // clients
    calls = [make_call() for _ in range(clients)]
    for call in calls:
        call()  # connect outside the timed part
    barrier = threading.Barrier(clients + 1)

    def worker(call: Callable[[], object]) -> None:
        barrier.wait()
        for _ in range(per_client):
            call()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return per_client * clients / (time.perf_counter() - start)


def _checked(client: SignedClient, path: str, body: bytes, *, sign: bool = True) -> Callable:
    def call() -> bytes:
        answer = client.post(path, body, HEADERS, sign=sign)
        if answer.status != 200:
            raise RuntimeError(f"{client.base_url}{path} answered {answer.status}: {answer.body!r}")
        return answer.body

    return call


def _new_client_call(url: str, path: str, body: bytes, sign: bool) -> Callable:
    return _checked(SignedClient(url), path, body, sign=sign)


def run(
    tarball: Path,
    *,
    features: int,
    work_dir: Path,
    quick: bool = False,
    log: Callable[[str], None] = print,
) -> tuple[Section, Section]:
    rounds, per_round = (6, 50) if quick else (20, 100)
    total = 600 if quick else 2000
    clients = 8
    latency = Section(
        title="Local endpoint",
        method=(
            "One client process, one keep-alive connection per target, every request signed "
            "with botocore's SigV4Auth (the bare server and the container ignore it). "
            f"Latency: {rounds} interleaved rounds of {per_round} sequential requests per "
            f"target (order rotated), p50/p99 over all {rounds * per_round}. Throughput: "
            f"{clients} client threads, {total} requests. Front door = `python -m "
            "local_runtime` on the moto control plane (resources created with boto3), its "
            "container = gunicorn with 2 workers (one per CPU) running the handler; bare = "
            "`python -m benchmarks.bare_server`, the same stdlib server design answering the "
            "front door's response bytes with no work. Client, servers and workers share the "
            "machine's 2 cores."
        ),
        headers=("rows", "target", "p50", "p99", "mean", "req/s (8 clients)", "p50 / bare"),
    )
    memory = Section(
        title="Memory",
        method=(
            "Peak resident set (`VmHWM` in /proc/<pid>/status) of each gunicorn worker of the "
            "endpoint's container after the endpoint benchmark (the model loaded, thousands "
            "of requests served), and of the front door process."
        ),
        headers=("process", "peak RSS (VmHWM)", "RSS now (VmRSS)"),
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    with serving(tarball, work_dir=work_dir, name=ENDPOINT) as endpoint:
        runtime_url = endpoint.runtime_url
        path = invocations_path(ENDPOINT)
        for rows in SIZES:
            body = _body(rows, features)
            front = SignedClient(runtime_url)
            first = front.post(path, body, HEADERS)
            if first.status != 200:
                raise RuntimeError(f"front door answered {first.status}: {first.body!r}")
            container_port = health(runtime_url)["containers"][0]["port"]
            container_url = f"http://127.0.0.1:{container_port}"
            answer_file = work_dir / f"answer-{rows}.json"
            answer_file.write_bytes(first.body)
            bare_args = ["-m", "benchmarks.bare_server", "--body-file", str(answer_file)]
            with python_server(bare_args, url_path="/") as (_, bare_url):
                log(f"  endpoint: {rows} rows ...")
                container = SignedClient(container_url)
                bare = SignedClient(bare_url)
                targets = {
                    "front door": _checked(front, path, body),
                    "container": _checked(container, "/invocations", body, sign=False),
                    "bare": _checked(bare, path, body),
                }
                for call in targets.values():
                    call()
                samples = _latencies(targets, rounds=rounds, per_round=per_round)
                routes = {
                    "front door": (runtime_url, path, True),
                    "container": (container_url, "/invocations", False),
                    "bare": (bare_url, path, True),
                }
                rates = {
                    name: _throughput(
                        functools.partial(_new_client_call, url, route, body, sign),
                        clients=clients,
                        total=total,
                    )
                    for name, (url, route, sign) in routes.items()
                }
                for client in (front, container, bare):
                    client.close()
            bare_p50 = statistics.median(samples["bare"])
            for name, values in samples.items():
                ordered = sorted(values)
                p50 = statistics.median(ordered)
                latency.rows.append(
                    (
                        f"{rows:,}",
                        name,
                        f"{p50 * 1e3:.2f} ms",
                        f"{percentile(ordered, 0.99) * 1e3:.2f} ms",
                        f"{statistics.fmean(ordered) * 1e3:.2f} ms",
                        f"{rates[name]:,.0f}",
                        ratio(p50 / bare_p50),
                    )
                )
            front_p50 = statistics.median(samples["front door"])
            container_p50 = statistics.median(samples["container"])
            latency.targets.append(
                Target(
                    f"front door p50 / bare server p50, {rows} row{'s' if rows > 1 else ''}",
                    front_p50 / bare_p50,
                    1.3,
                    why=(
                        f"{(front_p50 - bare_p50) * 1e3:.2f} ms above bare: the container "
                        f"alone is {container_p50 / bare_p50:.2f}{TIMES} bare "
                        f"({(container_p50 - bare_p50) * 1e3:.2f} ms: gunicorn + Flask "
                        "+ handler + predict), the front door adds "
                        f"{(front_p50 - container_p50) * 1e3:.2f} ms (SigV4 check + "
                        "second loopback hop)"
                    ),
                )
            )
        master = health(runtime_url)["containers"][0]["pid"]
        for pid in children(master):
            memory.rows.append(
                (
                    f"gunicorn worker (pid {pid})",
                    f"{status_kb(pid, 'VmHWM') / 1024:.0f} MB",
                    f"{status_kb(pid, 'VmRSS') / 1024:.0f} MB",
                )
            )
        memory.rows.append(
            (
                "gunicorn master",
                f"{status_kb(master, 'VmHWM') / 1024:.0f} MB",
                f"{status_kb(master, 'VmRSS') / 1024:.0f} MB",
            )
        )
        memory.rows.append(
            (
                "front door (`python -m local_runtime`)",
                f"{status_kb(endpoint.runtime_pid, 'VmHWM') / 1024:.0f} MB",
                f"{status_kb(endpoint.runtime_pid, 'VmRSS') / 1024:.0f} MB",
            )
        )
    return latency, memory
