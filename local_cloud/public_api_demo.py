"""The local demo's public API stage: provision what moto skipped, serve the route, check it.

    python -m local_cloud.public_api_demo --control-plane-url URL --runtime-url URL \
        --region R [--stack-name S] [--model-card build/model-card.json]

For a stack deployed with `-c config=examples/public-api.json` on the local control plane:
`POST /predict` with the key gets the model card's predictions, without the key 403, with a
malformed body 400 and a message. The demo calls `run_public_api_checks` after its predict
stages and `remove_public_api` after `cdk destroy`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import boto3

from clients.call_api import check_public_api
from constants import LOCAL_CREDENTIALS, STACK_NAME
from local_runtime.api_gateway import ApiGatewayServer, local_invoke_url
from local_runtime.api_gateway_provision import ProvisionedApi, provision, remove


@dataclass(frozen=True)
class PublicApiRun:
    provisioned: ProvisionedApi
    lines: list[str]


def _keys(env: Mapping[str, str] | None) -> tuple[str, str]:
    """The local credentials: the demo's child environment, never a real account's by accident."""
    source = os.environ if env is None else env
    return (
        source.get("AWS_ACCESS_KEY_ID", LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"]),
        source.get("AWS_SECRET_ACCESS_KEY", LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]),
    )


def _session(region: str, env: Mapping[str, str] | None) -> boto3.session.Session:
    access_key, secret_key = _keys(env)
    return boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
    )


def run_public_api_checks(
    *,
    control_plane_url: str,
    runtime_url: str,
    region: str,
    rows: list[list[float]],
    stack_name: str = STACK_NAME,
    env: Mapping[str, str] | None = None,
) -> PublicApiRun:
    """Provision, serve on a free port, run the three checks, stop; raises on any miss.

    `env` holds the local credentials (the demo's `local_env(...)`); default: os.environ.
    """
    session = _session(region, env)
    access_key, secret_key = _keys(env)
    apigateway = session.client("apigateway", endpoint_url=control_plane_url)
    provisioned = provision(
        cloudformation=session.client("cloudformation", endpoint_url=control_plane_url),
        apigateway=apigateway,
        stack_name=stack_name,
    )
    if provisioned.stage is None or provisioned.api_key_id is None:
        raise RuntimeError(f"stack {stack_name} has no API key stage: deploy with public_api on")
    key = apigateway.get_api_key(apiKey=provisioned.api_key_id, includeValue=True)["value"]
    with ApiGatewayServer(
        control_plane_url=control_plane_url,
        runtime_url=runtime_url,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
    ) as gateway:
        route = local_invoke_url(gateway.url, api_id=provisioned.api_id, stage=provisioned.stage)
        lines = [f"POST {route}", *check_public_api(route, api_key=key, rows=rows)]
    return PublicApiRun(provisioned=provisioned, lines=lines)


def remove_public_api(
    *,
    control_plane_url: str,
    region: str,
    run: PublicApiRun,
    env: Mapping[str, str] | None = None,
) -> None:
    """After `cdk destroy`: delete the provisioned key and plan, and the RestApi moto kept."""
    apigateway = _session(region, env).client("apigateway", endpoint_url=control_plane_url)
    remove(apigateway=apigateway, provisioned=run.provisioned)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local_cloud.public_api_demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--control-plane-url", required=True, help="moto_server URL")
    parser.add_argument("--runtime-url", required=True, help="local SageMaker runtime URL")
    parser.add_argument("--region", required=True)
    parser.add_argument("--stack-name", default=STACK_NAME)
    parser.add_argument("--model-card", type=Path, default=Path("build/model-card.json"))
    args = parser.parse_args(argv)
    rows = json.loads(args.model_card.read_text())["sample"]["instances"]
    try:
        run = run_public_api_checks(
            control_plane_url=args.control_plane_url,
            runtime_url=args.runtime_url,
            region=args.region,
            rows=rows,
            stack_name=args.stack_name,
        )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in run.lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
