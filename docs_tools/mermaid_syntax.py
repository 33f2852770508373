"""A strict check of the Mermaid flowchart subset docs_tools.mermaid writes.

No Mermaid parser runs here (mermaid-cli needs a browser), so this reads each line against the
few statement forms `render` emits: a diagram that passes renders on GitHub.
"""

from __future__ import annotations

import re

from docs_tools.mermaid import RESERVED_IDS

_ID = r"[A-Za-z][A-Za-z0-9]*"
_LABEL = r'"[^"]*"'
_LINE_FORMS = {
    "node": re.compile(rf"^({_ID})(?:\[{_LABEL}\]|\({_LABEL}\))$"),
    "subgraph": re.compile(rf"^subgraph ({_ID})\[{_LABEL}\]$"),
    "end": re.compile(r"^end$"),
    "edge": re.compile(rf"^({_ID}) (?:-->|<-->)(?:\|{_LABEL}\|)? ({_ID})$"),
}


def syntax_errors(source: str) -> list[str]:
    """Problems in `source` against the subset of Mermaid flowchart syntax `render` writes.

    Stricter than Mermaid: one statement per line, ids alphanumeric and not keywords, every
    label quoted with only `<br/>` as markup, every edge between declared nodes, subgraphs closed.
    """
    lines = [line.strip() for line in source.strip().splitlines()]
    if not lines or not re.fullmatch(r"flowchart (LR|RL|TB|TD|BT)", lines[0]):
        return [f"line 1: expected `flowchart <direction>`, given {lines[:1]}"]
    errors: list[str] = []
    declared: set[str] = set()
    depth = 0
    for number, line in enumerate(lines[1:], start=2):
        form, match = next(
            ((name, m) for name, rx in _LINE_FORMS.items() if (m := rx.match(line))), ("", None)
        )
        if match is None:
            errors.append(f"line {number}: not a node, edge, subgraph or end: {line!r}")
            continue
        for label in re.findall(_LABEL, line):
            if re.search(r"<(?!br/>)", label) or ">" in label.replace("<br/>", ""):
                errors.append(f"line {number}: markup other than <br/> in {label}")
        ids = list(match.groups())
        for node_id in ids:
            if node_id.lower() in RESERVED_IDS:
                errors.append(f"line {number}: id {node_id!r} is a Mermaid keyword")
        if form in ("node", "subgraph"):
            if ids[0] in declared:
                errors.append(f"line {number}: id {ids[0]!r} declared twice")
            declared.add(ids[0])
            depth += form == "subgraph"
        elif form == "end":
            depth -= 1
            if depth < 0:
                errors.append(f"line {number}: `end` without a subgraph")
        else:
            errors += [
                f"line {number}: edge to undeclared node {node_id!r}"
                for node_id in ids
                if node_id not in declared
            ]
    if depth > 0:
        errors.append(f"{depth} subgraph(s) not closed")
    return errors
