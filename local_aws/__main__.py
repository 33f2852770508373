"""python -m local_aws [moto_server options]: moto_server with the AWS-behaviour patches on."""

from __future__ import annotations

from moto.server import main as moto_server_main

from local_aws.patches import apply_all


def main(argv: list[str] | None = None) -> None:
    apply_all()
    moto_server_main(argv)


if __name__ == "__main__":
    main()
