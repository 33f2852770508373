"""Shared end-to-end setup: a tmp copy of the app, moto_server, the local runtime, the CDK CLI.

The e2e modules deploy through the real CDK CLI into this; each then bootstraps and deploys
with its own context, and points this process's boto3 at it with `aws_environ`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import boto3

from local_cloud.app_copy import copy_app
from local_cloud.cdk import CdkCli
from local_cloud.commands import Completed
from local_cloud.control_plane import ControlPlane
from local_cloud.demo import local_env
from local_cloud.runtime_process import RuntimeProcess
from tests.support.assemblies import Assemblies


def session_for(env: Mapping[str, str], *, region: str) -> boto3.session.Session:
    """A boto3 session with the credentials in `env` (the control plane's)."""
    return boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
        region_name=region,
    )


@dataclass(frozen=True)
class LocalAccount:
    """A running control plane and runtime, and a CDK CLI for the app copy pointed at them."""

    app_dir: Path
    control_plane: ControlPlane
    runtime: RuntimeProcess
    env: dict[str, str]
    cdk: CdkCli
    session: boto3.session.Session


@contextlib.contextmanager
def local_account(root: Path) -> Iterator[LocalAccount]:
    """Copy the app under `root`, start moto_server and the runtime; stop both on exit."""
    app_dir = copy_app(root / "app")
    work_dir = app_dir / ".local-cloud"
    logs = work_dir / "logs"
    logs.mkdir(parents=True)
    control_plane = ControlPlane(log_path=logs / "moto.log")
    runtime = RuntimeProcess(
        control_plane_url=control_plane.url,
        region=control_plane.region,
        work_dir=work_dir / "runtime",
        log_path=logs / "runtime.log",
        env=control_plane.env(),
    )
    control_plane.invoke_runtime_at(runtime.url)
    with control_plane, runtime:
        env = local_env(control_plane, runtime)
        yield LocalAccount(
            app_dir=app_dir,
            control_plane=control_plane,
            runtime=runtime,
            env=env,
            cdk=CdkCli(app_dir=app_dir, work_dir=work_dir, env=env, log_dir=logs),
            session=session_for(env, region=control_plane.region),
        )


def deploy_shared(account: LocalAccount, assemblies: Assemblies, name: str) -> Completed:
    """Deploy the run's shared synth of config `name` as `make deploy` does (synth first, then
    `cdk deploy --app`), with the build it ships in the app's build/, where clients read the card.
    The full path (build step and app.py run by the CLI) is tested by the lifecycle, the demo and
    the docs' command blocks."""
    shutil.copytree(assemblies.build_dir, account.app_dir / "build", dirs_exist_ok=True)
    return account.cdk.deploy(assembly=assemblies.get(name).outdir)


@contextlib.contextmanager
def aws_environ(env: Mapping[str, str]) -> Iterator[None]:
    """Point this process's boto3 (the clients) at `env`; put `os.environ` back on exit."""
    saved = dict(os.environ)
    os.environ.update(env)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
