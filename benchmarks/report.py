"""Results of a benchmark section and their rendering as Markdown (stdout, docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Target:
    """A measured ratio (or value) against its limit: PASS when ``measured <= limit``."""

    name: str
    measured: float
    limit: float
    unit: str = TIMES
    why: str = ""  # said when it misses: what stands in the way, measured

    @property
    def passed(self) -> bool:
        return self.measured <= self.limit

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


@dataclass
class Section:
    title: str
    method: str
    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 0.01 else f"{seconds * 1e3:.1f} ms"


def ratio(value: float) -> str:
    return f"{value:.2f}{TIMES}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_section(section: Section) -> str:
    parts = [f"## {section.title}", "", section.method, "", table(section.headers, section.rows)]
    if section.targets:
        rows = [
            (
                t.name,
                f"{t.measured:.2f}{t.unit}",
                f"≤ {t.limit:g}{t.unit}",
                f"**{t.verdict}**" + (f": {t.why}" if t.why and not t.passed else ""),
            )
            for t in section.targets
        ]
        parts += ["", table(("target", "measured", "limit", "verdict"), rows)]
    if section.notes:
        parts += ["", *[f"- {note}" for note in section.notes]]
    return "\n".join(parts) + "\n"


def render_document(
    *, machine: dict[str, str], sections: Sequence[Section], command: str, elapsed_s: float
) -> str:
    targets = [t for s in sections for t in s.targets]
    passed = sum(t.passed for t in targets)
    summary = table(
        ("section", "target", "measured", "limit", "verdict"),
        [
            (s.title, t.name, f"{t.measured:.2f}{t.unit}", f"≤ {t.limit:g}{t.unit}", t.verdict)
            for s in sections
            for t in s.targets
        ],
    )
    head = [
        "# Benchmarks",
        "",
        f"Written by `{command}` ({elapsed_s:.0f} s). Every ratio is measured side by side in",
        "the same run, interleaved with its baseline; rerun it to check on your machine.",
        "",
        "## Machine",
        "",
        table(("", ""), list(machine.items())),
        "",
        f"## Targets: {passed} of {len(targets)} pass",
        "",
        summary,
        "",
        "",
    ]
    return "\n".join(head) + "\n".join(render_section(s) for s in sections)
