"""The pinned CDK CLI (`npx --no -- cdk`), as the demo and the end-to-end test call it.

`bootstrap` and `destroy` run from the work dir, outside the app: with no cdk.json there, the CLI
neither runs the app's build nor synthesizes it (bootstrap needs neither; destroy reads the cloud
assembly the deploy wrote). `deploy` runs in the app dir, so it builds and synthesizes as on AWS;
given a cloud assembly synthesized before (as `make deploy` synthesizes first), it deploys that
from the work dir, with neither.
`npx --prefix <app dir> --no`: only the app's pinned CLI runs, whatever the working directory.
`deploy` uses the CLI's default method (a change set), as a user's `cdk deploy` does.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from constants import LOCAL_ACCOUNT, OUTPUTS_FILE
from local_cloud.commands import Completed, run_command, tool_path

# No notices, telemetry or version check: nothing reaches the internet from a local run.
QUIET_FLAGS = ("--no-notices",)
# The SDK inside the CLI warns about Node < 22 on every call (8 lines); its own off switch.
QUIET_ENV = {
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    "CDK_DISABLE_VERSION_CHECK": "true",
    "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true",
}


class CdkError(RuntimeError):
    """A CDK CLI call failed; the message ends with the tail of its output."""


@dataclass(frozen=True)
class CdkCli:
    app_dir: Path
    work_dir: Path
    env: Mapping[str, str]
    log_dir: Path

    @property
    def assembly_dir(self) -> Path:
        return self.work_dir / "cdk.out"

    @property
    def outputs_file(self) -> Path:
        return self.work_dir / OUTPUTS_FILE

    def command(self) -> list[str]:
        return ["npx", "--prefix", str(self.app_dir.resolve()), "--no", "--", "cdk"]

    def bootstrap(self, *, region: str) -> Completed:
        target = f"aws://{LOCAL_ACCOUNT}/{region}"
        return self._run("bootstrap", ["bootstrap", target], cwd=self.work_dir)

    def deploy(
        self, *, context: Mapping[str, str] | None = None, assembly: Path | None = None
    ) -> Completed:
        """`cdk deploy`: the app's build and synth, or `assembly` (copied to the work dir, where
        `destroy` reads it) with neither."""
        args = ["deploy", "--require-approval", "never"]
        if assembly is not None:
            shutil.copytree(assembly, self.assembly_dir, dirs_exist_ok=True)
            args += ["--app", str(self.assembly_dir.resolve())]
        else:
            args += ["--output", str(self.assembly_dir.resolve())]
        args += ["--outputs-file", str(self.outputs_file.resolve())]
        for key, value in (context or {}).items():
            args += ["--context", f"{key}={value}"]
        # Inside the app the CLI runs cdk.json's build step even for `--app <assembly>` (it would
        # rebuild the default model into build/): an assembly deploys from the work dir.
        return self._run("deploy", args, cwd=self.app_dir if assembly is None else self.work_dir)

    def destroy(self) -> Completed:
        args = ["destroy", "--force", "--app", str(self.assembly_dir.resolve())]
        return self._run("destroy", args, cwd=self.work_dir)

    def _run(self, name: str, args: list[str], *, cwd: Path) -> Completed:
        cwd.mkdir(parents=True, exist_ok=True)
        env = tool_path({**self.env, **QUIET_ENV})
        result = run_command(
            [*self.command(), *args, *QUIET_FLAGS],
            cwd=cwd,
            env=env,
            log_path=self.log_dir / f"cdk-{name}.log",
        )
        if result.returncode != 0:
            raise CdkError(f"cdk {name} exited with {result.returncode}:\n{result.tail()}")
        return result
