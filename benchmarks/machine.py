"""What the figures were measured on: CPU, cores, load and library versions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("numpy", "xgboost-cpu", "flask", "gunicorn", "botocore", "moto", "aws-cdk-lib")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    details = {
        "date (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "CPU": cpu_model(),
        "cores (usable)": f"{len(os.sched_getaffinity(0))} of {os.cpu_count()}",
        "load average at start (1, 5, 15 min)": load,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": sys.version.split()[0],
    }
    details.update({package: _version(package) for package in PACKAGES})
    return details
