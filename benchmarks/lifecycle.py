"""Build and deploy: cold and warm build, synth, a no-change rebuild's asset hash, and a local
deploy that `cdk diff` then finds unchanged. Runs in a tmp copy of the app (the repo's build/
and cdk.out/ are shared), against moto_server with the pinned CLI (`npx --no -- cdk`)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import Section
from constants import STACK_NAME
from local_cloud.app_copy import copy_app
from local_cloud.cdk import QUIET_ENV, CdkCli
from local_cloud.commands import Completed, run_command, tool_path
from local_cloud.control_plane import ControlPlane


def _timed(func: Callable[[], Completed]) -> tuple[float, Completed]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _asset_hashes(assembly: Path) -> set[str]:
    manifest = json.loads((assembly / f"{STACK_NAME}.assets.json").read_text())
    return set(manifest.get("files", {}))


def run(work_dir: Path, *, log: Callable[[str], None] = print) -> Section:
    section = Section(
        title="Build and deploy",
        method=(
            "One run each, wall clock, in a tmp copy of the app. Cold build: "
            "`python -m model_build` in a fresh interpreter into an empty folder; warm: the "
            "same again over its own output (imports and files in the OS cache). Synth: "
            "`npx --no -- cdk synth --quiet --output <tmp>`, which runs cdk.json's build step "
            "first. Deploy, diff and destroy: the pinned CLI against moto_server "
            "(`cdk diff --method=template --fail`: the change-set diff costs about a minute "
            "on moto, which cannot create one, for the same answer)."
        ),
        headers=("step", "time", "result"),
    )
    app = copy_app(work_dir / "app")
    logs = work_dir / "logs"
    env = tool_path({**os.environ, **QUIET_ENV})

    def python(*args: str, name: str) -> Completed:
        result = run_command([sys.executable, *args], cwd=app, env=env, log_path=logs / name)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.tail()}")
        return result

    def cdk(*args: str, name: str, extra_env: dict[str, str] | None = None) -> Completed:
        cmd = ["npx", "--no", "--", "cdk", *args, "--no-notices"]
        result = run_command(cmd, cwd=app, env={**env, **(extra_env or {})}, log_path=logs / name)
        if result.returncode != 0:
            raise RuntimeError(f"cdk {' '.join(args)} failed:\n{result.tail()}")
        return result

    tarball = app / "build" / "model.tar.gz"
    log("  lifecycle: builds ...")
    cold_s, _ = _timed(lambda: python("-m", "model_build", name="build-cold.log"))
    cold_sha = _sha256(tarball)
    warm_s, _ = _timed(lambda: python("-m", "model_build", name="build-warm.log"))
    warm_sha = _sha256(tarball)
    section.rows.append(
        (
            "cold build (fresh interpreter, empty folder)",
            f"{cold_s:.1f} s",
            f"sha256 {cold_sha[:12]}…",
        )
    )
    section.rows.append(
        (
            "warm build (same again)",
            f"{warm_s:.1f} s",
            "same sha256" if warm_sha == cold_sha else f"DIFFERENT {warm_sha[:12]}…",
        )
    )

    log("  lifecycle: synth x2 ...")
    synths = []
    for n in (1, 2):
        out = work_dir / f"synth-{n}"
        synth_args = ("synth", "--quiet", "--output", str(out))
        seconds, _ = _timed(functools.partial(cdk, *synth_args, name=f"synth-{n}.log"))
        template = (out / f"{STACK_NAME}.template.json").read_text()
        synths.append((seconds, _asset_hashes(out), template))
    (s1, h1, t1), (s2, h2, t2) = synths
    section.rows.append(
        (
            "synth (with the build step)",
            f"{s1:.1f} s",
            f"asset hash {next(iter(h1))[:12]}…" if h1 else "no file asset",
        )
    )
    same = h1 == h2 and t1 == t2
    section.rows.append(
        (
            "synth again, no change",
            f"{s2:.1f} s",
            "same asset hash and template" if same else "CHANGED",
        )
    )
    if cold_sha in t1:
        section.notes.append(
            "The asset hash is derived from the tarball's sha256 (a custom asset hash; the "
            "template tags the model with that sha256), so an unchanged build keeps the model."
        )
    log("  lifecycle: local deploy, diff, destroy ...")
    with ControlPlane(log_path=logs / "moto.log") as control_plane:
        local = {**control_plane.env()}
        cli = CdkCli(app_dir=app, work_dir=work_dir / "cdk", env={**env, **local}, log_dir=logs)
        boot_s, _ = _timed(lambda: cli.bootstrap(region=control_plane.region))
        deploy_s, _ = _timed(lambda: cli.deploy())
        diff_s, diff = _timed(
            lambda: cdk(
                "diff",
                "--method=template",
                "--fail",
                "--output",
                str(work_dir / "diff.out"),
                name="diff.log",
                extra_env=local,
            )
        )
        destroy_s, _ = _timed(cli.destroy)
        again_s, _ = _timed(cli.destroy)
    no_diff = "There were no differences" in diff.output
    section.rows += [
        ("cdk bootstrap (local)", f"{boot_s:.1f} s", "ok"),
        ("cdk deploy (local, includes build + synth)", f"{deploy_s:.1f} s", "ok"),
        (
            "cdk diff after a no-change rebuild",
            f"{diff_s:.1f} s",
            "no differences (exit 0 with --fail)" if no_diff else "DIFFERENCES",
        ),
        ("cdk destroy", f"{destroy_s:.1f} s", "ok"),
        ("cdk destroy again", f"{again_s:.1f} s", "ok, harmless"),
    ]
    if not (same and no_diff and warm_sha == cold_sha):
        section.notes.append("A no-change rebuild changed something: see the rows above.")
    return section
