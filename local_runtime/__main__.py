"""python -m local_runtime --port P --control-plane-url URL --region R [--work-dir D]

Prints `local runtime listening on http://127.0.0.1:P` once ready; SIGTERM or SIGINT stops it
and every container it started.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from local_runtime.runtime_server import RuntimeServer
from local_runtime.serving_thread import serve_until_signalled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_runtime", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--control-plane-url", required=True, help="moto_server URL")
    parser.add_argument("--region", required=True)
    parser.add_argument("--work-dir", type=Path, help="unpacked models and container logs")
    parser.add_argument("--cache-ttl", type=float, default=1.0, help="seconds (default 1)")
    parser.add_argument("--workers", type=int, help="gunicorn workers per container")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    return serve_until_signalled(
        lambda: RuntimeServer(
            host=args.host,
            port=args.port,
            control_plane_url=args.control_plane_url,
            region=args.region,
            work_dir=args.work_dir,
            cache_ttl=args.cache_ttl,
            container_workers=args.workers,
        ),
        name="local runtime",
    )


if __name__ == "__main__":
    sys.exit(main())
