"""The command blocks of the docs, as the README test reads them: markers, skips, transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.doc_blocks import (
    MAX_SKIPPED,
    NOT_RUN,
    PAGES,
    DocBlockError,
    bash_blocks,
    transcript_mismatch,
)
from tests.support.paths import REPO

PAGE = """# Title

```bash
make up
```

<!-- readme-test: skip: runs the whole suite -->
```bash
make test
```

```text
not a command
```

```bash
python -m clients.call_api --auth none || echo "exit status $?"
```

<!-- readme-test: output -->
```text
403 {"message": "Forbidden"}
URL: ...
exit status 1
```
"""


def _page(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text)
    return path


def test_blocks_come_in_order_with_their_skip_reason_and_transcript(tmp_path: Path) -> None:
    blocks = bash_blocks(_page(tmp_path, PAGE))
    assert [(b.line, b.text, b.skip) for b in blocks] == [
        (3, "make up\n", None),
        (8, "make test\n", "runs the whole suite"),
        (16, 'python -m clients.call_api --auth none || echo "exit status $?"\n', None),
    ]
    assert blocks[2].output is not None and "exit status 1" in blocks[2].output
    assert blocks[0].output is None and blocks[1].output is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- readme-test: skip -->\n```bash\nmake test\n```\n", "needs a reason"),
        ("<!-- readme-test: skip:  -->\n```bash\nmake test\n```\n", "needs a reason"),
        ("<!-- readme-test: later -->\n```bash\nls\n```\n", "unknown readme-test marker"),
        ("<!-- readme-test: output -->\n```text\nhi\n```\n", "text block after bash"),
        ("<!-- readme-test: output -->\n```bash\nls\n```\n", "before a ```text block"),
        ("<!-- readme-test: skip: why -->\n```text\nhi\n```\n", "before a ```bash block"),
        ("```bash\nls\n", "unclosed fence"),
    ],
)
def test_a_marker_the_runner_cannot_honour_is_an_error(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(DocBlockError, match=message):
        bash_blocks(_page(tmp_path, text))


def test_a_marker_speaks_only_for_the_fence_right_after_it(tmp_path: Path) -> None:
    text = "<!-- readme-test: skip: why -->\nSome prose.\n\n```bash\nls\n```\n"
    assert bash_blocks(_page(tmp_path, text))[0].skip is None


@pytest.mark.parametrize(
    ("expected", "output", "missing"),
    [
        ("    stop: ... s\n", "==> stop\n    stop: 1.2 s\n", None),
        ("a\nc\n", "a\nb\nc\n", None),
        ("c\na\n", "a\nb\nc\n", "a"),  # in order
        ("200 ...\n", "424 {}\n", "200 ..."),
        ("exit status 1\n", "exit status 12\n", "exit status 1"),  # whole lines
        ("URL: ...\n", "URL: http://localhost:4566/x  \n", None),
    ],
)
def test_transcripts_match_line_by_line_with_wildcards(
    expected: str, output: str, missing: str | None
) -> None:
    assert transcript_mismatch(expected, output) == missing


def test_every_page_with_commands_is_run_or_says_why_not() -> None:
    pages = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
    with_commands = {
        str(p.relative_to(REPO)) for p in pages if "```bash" in p.read_text(encoding="utf-8")
    }
    run = {page.path for page in PAGES}
    assert with_commands == run | NOT_RUN.keys()
    assert not run & NOT_RUN.keys()


def test_the_docs_skip_few_blocks_each_with_a_reason() -> None:
    skipped = [b for page in PAGES for b in bash_blocks(REPO / page.path, page=page.path) if b.skip]
    assert all(len(b.skip or "") > 15 for b in skipped), [(b.where, b.skip) for b in skipped]
    assert len(skipped) <= MAX_SKIPPED, [(b.where, b.skip) for b in skipped]


def test_the_readme_stays_under_10_kb() -> None:
    assert len((REPO / "README.md").read_bytes()) <= 10 * 1024


def test_the_transcripts_the_docs_show_are_checked() -> None:
    checked = {
        page.path: sum(b.output is not None for b in bash_blocks(REPO / page.path))
        for page in PAGES
    }
    assert checked == {
        "README.md": 0,
        "docs/local-cloud.md": 1,
        "docs/public-api.md": 1,
        "docs/your-model.md": 2,
    }
