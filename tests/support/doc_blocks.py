"""The command blocks a user pastes from the docs, as tests/e2e/test_readme_commands.py runs them.

Every fenced ```bash block is a block to run. An HTML comment on the line right before a fence
says more about it (invisible on GitHub):

    <!-- readme-test: skip: <why> -->   before a ```bash block: not run, for the reason given
    <!-- readme-test: output -->        before a ```text block: the output of the bash block
                                        just above, checked line by line (`...` matches any text)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Page:
    path: str  # from the repository root
    starts_cloud: bool  # its blocks run `make up` ... `make down` themselves
    bootstrap: bool = False  # assumes an account bootstrapped before (README: once per account)


# The pages whose command blocks a user pastes, each run by tests/e2e/test_readme_commands.py;
# otherwise "after `make up`": the test starts the cloud and exports `make env` to each block.
PAGES = (
    Page("README.md", starts_cloud=False),
    Page("docs/local-cloud.md", starts_cloud=True),
    Page("docs/public-api.md", starts_cloud=False, bootstrap=True),
    Page("docs/your-model.md", starts_cloud=False, bootstrap=True),
)
# Pages with ```bash blocks that are not run, and why.
NOT_RUN = {
    "CONTRIBUTING.md": "the developer's loop around `make test` and the snapshot: the suite itself",
    "docs/configuration.md": "generated from the settings models: two illustrative -c forms",
    "docs/batch-transform.md": "needs a stack deployed with batch_transform: "
    "tests/e2e/test_batch_transform.py runs the same command against one, make demo-batch too",
}
# Skipped blocks are exceptions, each with its reason in the Markdown; few of them.
MAX_SKIPPED = 3

MARKER = re.compile(r"^<!--\s*readme-test:\s*(?P<kind>[a-z]+)\s*(?::\s*(?P<arg>.*?))?\s*-->$")
FENCE = re.compile(r"^```(?P<info>[\w-]*)\s*$")
WILDCARD = "..."


class DocBlockError(ValueError):
    """A marker the runner cannot honour (unknown, misplaced, or a skip without a reason)."""


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # of the opening fence, 1-based
    text: str
    skip: str | None = None  # the reason, when marked skip
    output: str | None = None  # the transcript that follows it, when marked output

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def bash_blocks(path: Path, *, page: str | None = None) -> list[Block]:
    """The page's ```bash blocks in document order, with their markers applied."""
    name = page or path.name
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    marker: tuple[str, str | None] | None = None
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        fence = FENCE.match(stripped)
        if fence is None:
            found = MARKER.match(stripped)
            if found is not None:
                marker = (found["kind"], found["arg"])
            elif stripped:
                marker = None  # a marker speaks only for the fence right after it
            index += 1
            continue
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == "```"), None)
        if end is None:
            raise DocBlockError(f"{name}:{index + 1}: unclosed fence")
        body = "\n".join(lines[index + 1 : end]) + "\n"
        blocks = _apply(blocks, name, index + 1, fence["info"], body, marker)
        marker = None
        index = end + 1
    return blocks


def _apply(
    blocks: list[Block],
    page: str,
    line: int,
    info: str,
    body: str,
    marker: tuple[str, str | None] | None,
) -> list[Block]:
    kind, arg = marker if marker else (None, None)
    where = f"{page}:{line}"
    if kind not in (None, "skip", "output"):
        raise DocBlockError(f"{where}: unknown readme-test marker {kind!r} (skip, output)")
    if info == "bash":
        if kind == "output":
            raise DocBlockError(f"{where}: an output marker belongs before a ```text block")
        if kind == "skip" and not arg:
            raise DocBlockError(f"{where}: a skipped block needs a reason (skip: <why>)")
        return [*blocks, Block(page=page, line=line, text=body, skip=arg if kind else None)]
    if kind == "output":
        if info != "text" or not blocks or blocks[-1].output is not None:
            raise DocBlockError(f"{where}: an output marker belongs to a ```text block after bash")
        last = blocks[-1]
        return [*blocks[:-1], Block(last.page, last.line, last.text, last.skip, output=body)]
    if kind == "skip":
        raise DocBlockError(f"{where}: a skip marker belongs before a ```bash block")
    return blocks


def transcript_mismatch(expected: str, output: str) -> str | None:
    """None when every non-blank line of `expected` matches a whole line of `output`, in order
    (`...` stands for any text: timings, ids, hashes); else the first line that did not."""
    got = [line.rstrip() for line in output.splitlines()]
    position = 0
    for wanted in (line.rstrip() for line in expected.splitlines()):
        if not wanted.strip():
            continue
        pattern = re.compile(".*?".join(re.escape(part) for part in wanted.split(WILDCARD)) + "$")
        position = next((i for i in range(position, len(got)) if pattern.match(got[i])), -1) + 1
        if position == 0:
            return wanted
    return None
