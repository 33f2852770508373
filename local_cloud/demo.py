"""The whole lifecycle with no AWS account: control plane, runtime, bootstrap, build, deploy,
predict with both clients, destroy, verify the teardown, and stop everything on every path."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from clients.call_api import check_public_api, local_invoke_url
from clients.outputs_file import read_outputs
from constants import (
    LOCAL_CREDENTIALS,
    LOCAL_REGION,
    MODEL_BUILDS,
    PUBLIC_API_KEY_ID_OUTPUT,
    PUBLIC_API_URL_OUTPUT,
    STACK_NAME,
)
from local_cloud.card_check import check_predictions
from local_cloud.cdk import CdkCli
from local_cloud.commands import run_command, tool_path
from local_cloud.control_plane import ControlPlane
from local_cloud.runtime_process import REPO_ROOT, RuntimeProcess
from local_cloud.stages import StageFailed, StageRunner, Terminated, signals_raise

# Variables that could point a child at a real account instead of the local one.
REAL_ACCOUNT_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE")
# Learners are protected by default: the demo's stack deletes itself after 2 idle hours
# (docs/idle-teardown.md), so one deployed to a real account does not bill for a month.
DEMO_IDLE_TEARDOWN = {"after_hours": 2, "notify": "create"}


@dataclass(frozen=True)
class DemoLayout:
    app_dir: Path
    work_dir: Path
    model_spec: Path | None = None  # absolute; None: the default model

    @property
    def log_dir(self) -> Path:
        return self.work_dir / "logs"

    @property
    def build_dir(self) -> Path:
        """Where synth builds the model (app.py: `build`, or one folder per spec)."""
        if self.model_spec is None:
            return self.app_dir / "build"
        return self.app_dir / MODEL_BUILDS / self.model_spec.stem

    @property
    def model_card(self) -> Path:
        return self.build_dir / "model-card.json"


def local_env(control_plane: ControlPlane, runtime: RuntimeProcess) -> dict[str, str]:
    """This process's environment pointed at the local cloud, with no way back to a real one."""
    base = {k: v for k, v in os.environ.items() if k not in REAL_ACCOUNT_VARIABLES}
    return {
        **base,
        **control_plane.env(),
        "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": runtime.url,
    }


def run_demo(
    layout: DemoLayout, *, region: str = LOCAL_REGION, stack_name: str | None = None
) -> int:
    """0 when every stage passed; the model is `layout.model_spec`'s, else the default."""
    runner = StageRunner()
    for stale in (layout.log_dir, layout.work_dir / "runtime"):  # this run's logs only
        shutil.rmtree(stale, ignore_errors=True)
    layout.log_dir.mkdir(parents=True, exist_ok=True)
    control_plane = ControlPlane(region=region, log_path=layout.log_dir / "moto.log")
    runtime = RuntimeProcess(
        control_plane_url=control_plane.url,
        region=region,
        work_dir=layout.work_dir / "runtime",
        port=0,
        log_path=layout.log_dir / "runtime.log",
        env=control_plane.env(),
    )
    control_plane.invoke_runtime_at(runtime.url)
    status = 1
    with signals_raise():
        try:
            _lifecycle(runner, layout, control_plane, runtime, stack_name=stack_name)
            status = 0
        except StageFailed as exc:
            print(f"FAILED at stage '{exc.stage}': {exc.reason}", file=sys.stderr)
            print(f"logs: {layout.log_dir}", file=sys.stderr)
        except (KeyboardInterrupt, Terminated) as exc:
            reason = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else str(exc)
            print(f"\ninterrupted ({reason}) during '{runner.current}'", file=sys.stderr)
            status = 130
        finally:
            _stop_all(runner, control_plane, runtime)
    if status == 0:
        print(f"demo passed in {runner.elapsed:.1f} s")
    return status


def _lifecycle(
    runner: StageRunner,
    layout: DemoLayout,
    control_plane: ControlPlane,
    runtime: RuntimeProcess,
    *,
    stack_name: str | None,
) -> None:
    with runner.stage("start control plane"):
        control_plane.start()
        print(f"    moto_server at {control_plane.url}")
    with runner.stage("start local runtime"):
        runtime.start()
        print(f"    local runtime at {runtime.url}")
    env = local_env(control_plane, runtime)
    cdk = CdkCli(app_dir=layout.app_dir, work_dir=layout.work_dir, env=env, log_dir=layout.log_dir)
    cdk.outputs_file.unlink(missing_ok=True)  # never predict against a previous run's endpoint
    shutil.rmtree(cdk.assembly_dir, ignore_errors=True)
    # The demo turns the optional public API on, so its route is exercised end to end too.
    context = {
        "config": str(REPO_ROOT / "examples" / "public-api.json"),
        "idle_teardown": json.dumps(DEMO_IDLE_TEARDOWN),
    }
    build_args = ["-m", "model_build"]
    if layout.model_spec is not None:  # synth builds it too (same bytes): the build stage shows it
        context["model"] = str(layout.model_spec)
        build_args += ["--spec", str(layout.model_spec), "--out-dir", str(layout.build_dir)]
    if stack_name:
        context["stack_name"] = stack_name
    stack = stack_name or STACK_NAME

    with runner.stage("bootstrap"):
        cdk.bootstrap(region=control_plane.region)
    with runner.stage("build"):
        _python(build_args, cwd=layout.app_dir, env=env, layout=layout, name="build")
    with runner.stage("deploy"):
        cdk.deploy(context=context)
        print(f"    outputs: {cdk.outputs_file}")
    client_args = ["--outputs-file", str(cdk.outputs_file), "--model-card", str(layout.model_card)]
    if stack_name:
        client_args += ["--stack-name", stack_name]
    with runner.stage("verify deploy"):
        _python(["-m", "clients.verify_deploy", *client_args], env=env, layout=layout, echo=True)
    with runner.stage("predict (boto3)"):
        card: dict[str, Any] = json.loads(layout.model_card.read_text())
        out = _python(["-m", "clients.predict", *client_args], env=env, layout=layout, echo=True)
        check_predictions(out, card)
    with runner.stage("predict (raw SigV4)"):
        out = _python(["-m", "clients.call_raw", *client_args], env=env, layout=layout, echo=True)
        check_predictions(out, card)
    with runner.stage("public API (POST /predict)"):
        rows = card["sample"]["instances"]
        outputs = read_outputs(cdk.outputs_file)[stack]
        key = _api_key_value(control_plane, outputs[PUBLIC_API_KEY_ID_OUTPUT])
        route = local_invoke_url(outputs[PUBLIC_API_URL_OUTPUT], control_plane.url)
        for line in [f"POST {route}", *check_public_api(route, api_key=key, rows=rows)]:
            print(f"    {line}", flush=True)
    with runner.stage("destroy"):
        cdk.destroy()
    with runner.stage("verify teardown"):
        args = ["--stack-name", stack, "--outputs-file", str(cdk.outputs_file)]
        _python(["-m", "clients.verify_teardown", *args], env=env, layout=layout, echo=True)


def _api_key_value(control_plane: ControlPlane, key_id: str) -> str:
    session = boto3.session.Session(
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=control_plane.region,
    )
    apigateway = session.client("apigateway", endpoint_url=control_plane.url)
    return str(apigateway.get_api_key(apiKey=key_id, includeValue=True)["value"])


def _stop_all(runner: StageRunner, control_plane: ControlPlane, runtime: RuntimeProcess) -> None:
    # Not a StageRunner stage: it must run and report even after an interrupt, and a second
    # Ctrl-C while stopping must not leave a server behind.
    print("==> stop", flush=True)
    start = runner.elapsed
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        runtime.stop()
        control_plane.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
    print(f"    stop: {runner.elapsed - start:.1f} s", flush=True)


def _python(
    args: list[str],
    *,
    env: Mapping[str, str],
    layout: DemoLayout,
    cwd: Path = REPO_ROOT,
    echo: bool = False,
    name: str | None = None,
) -> str:
    log_name = name or args[1].rsplit(".", 1)[-1]
    result = run_command(
        [sys.executable, *args],
        cwd=cwd,
        env=tool_path(env),
        log_path=layout.log_dir / f"{log_name}.log",
        echo=echo,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {result.returncode}:\n{result.tail()}")
    return result.output
