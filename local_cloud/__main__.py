"""Local AWS for this app, no account needed.

python -m local_cloud demo   # the whole lifecycle, stage by stage, then stop everything
python -m local_cloud demo --model examples/models/iris.toml   # ... on that model spec
python -m local_cloud up     # start moto + the local runtime detached, print `export` lines
python -m local_cloud env    # print the `export` lines of a running `up`
python -m local_cloud down   # stop what `up` started (harmless if nothing runs)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from constants import LOCAL_ACCOUNT, LOCAL_REGION
from local_cloud import session
from local_cloud.demo import DemoLayout, run_demo
from local_cloud.runtime_process import REPO_ROOT

DEFAULT_WORK_DIR = Path(".local-cloud")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local_cloud",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=DEFAULT_WORK_DIR,
        help="logs, state and the local outputs file (default: %(default)s, gitignored)",
    )
    parser.add_argument("--region", default=LOCAL_REGION)
    parser.add_argument(
        "--invoked-as",
        default="python -m local_cloud",
        help="how the user runs these commands, for messages (the Makefile passes `make`)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the whole lifecycle locally")
    demo.add_argument("--app-dir", type=Path, default=REPO_ROOT, help="CDK app (default: repo)")
    demo.add_argument("--stack-name", help="passed as -c stack_name=... (default: the app's)")
    demo.add_argument(
        "--model",
        type=Path,
        help="a model spec (docs/your-model.md), passed as -c model=SPEC (default: the app's)",
    )
    commands.add_parser("up", help="start the local cloud detached")
    commands.add_parser("env", help="print the export lines of a running `up`")
    commands.add_parser("down", help="stop what `up` started")
    args = parser.parse_args(argv)
    work_dir = args.work_dir.resolve()

    try:
        if args.command == "demo":
            return _demo(args, work_dir)
        return _session_command(args.command, work_dir, region=args.region, prefix=args.invoked_as)
    except session.SessionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _demo(args: argparse.Namespace, work_dir: Path) -> int:
    state = session.read_state(work_dir)
    if state is not None and any(session.running(state).values()):
        # The demo clears the work dir's logs and runtime files, which `up`'s servers use.
        down = f"{args.invoked_as} down"
        raise session.SessionError(f"`up` is running in {work_dir}: run `{down}` first")
    spec = args.model.resolve() if args.model else None
    if spec is not None and not spec.is_file():
        raise session.SessionError(f"--model: no model spec at {args.model}")
    layout = DemoLayout(app_dir=args.app_dir.resolve(), work_dir=work_dir, model_spec=spec)
    return run_demo(layout, region=args.region, stack_name=args.stack_name)


def _session_command(command: str, work_dir: Path, *, region: str, prefix: str) -> int:
    def named(sub: str) -> str:
        return f"{prefix} {sub}"

    if command == "up":
        state = session.up(work_dir, region=region, down_command=named("down"))
        print(f"# control plane {state.control_plane_url} (pid {state.control_plane_pid})")
        print(f"# local runtime {state.runtime_url} (pid {state.runtime_pid})")
        print(f'# paste these, or: eval "$({named("env")})"; stop with `{named("down")}`')
        print("\n".join(state.export_lines()))
        print(f"# first: npx --no -- cdk bootstrap aws://{LOCAL_ACCOUNT}/{region}")
        return 0
    if command == "env":
        running = session.read_state(work_dir)
        if running is None or not all(session.running(running).values()):
            print(f"error: no local cloud is up: run `{named('up')}`", file=sys.stderr)
            return 1
        print("\n".join(running.export_lines()))
        return 0
    stopped = session.down(work_dir)
    print("stopped: " + ", ".join(stopped) if stopped else "nothing was running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
