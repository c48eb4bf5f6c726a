"""The chart's values table for docs/operations.md, from the "# --" comments of values.yaml."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

VALUES_FILE = Path(__file__).resolve().parents[2] / "charts" / "wildside" / "values.yaml"
_DOC = re.compile(r"^(?P<indent> *)# -- (?P<text>.+)$")
_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z0-9_]+):")


@dataclass(frozen=True)
class Row:
    """One documented value: its dotted key, default and description."""

    key: str
    default: Any
    description: str


def documented_rows(path: Path = VALUES_FILE) -> list[Row]:
    """Every key preceded by a "# --" comment, in file order, with its default."""
    text = path.read_text()
    values = yaml.safe_load(text)
    rows: list[Row] = []
    stack: list[tuple[int, str]] = []
    pending: str | None = None
    for line in text.splitlines():
        doc = _DOC.match(line)
        if doc:
            pending = doc["text"]
            continue
        key = _KEY.match(line)
        if not key:
            continue
        indent = len(key["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key["key"]))
        if pending is not None:
            dotted = [k for _, k in stack]
            rows.append(Row(".".join(dotted), _lookup(values, dotted), pending))
            pending = None
    return rows


def undocumented_leaves(path: Path = VALUES_FILE) -> list[str]:
    """Leaves of values.yaml that neither have a description nor sit under a described key."""
    documented = {row.key for row in documented_rows(path)}
    missing: list[str] = []

    def walk(node: Any, dotted: list[str]) -> None:
        key = ".".join(dotted)
        if dotted and key in documented:
            return
        if isinstance(node, dict) and node:
            for name, child in node.items():
                walk(child, [*dotted, str(name)])
        else:
            missing.append(key)

    walk(yaml.safe_load(path.read_text()), [])
    return missing


def markdown_table(path: Path = VALUES_FILE) -> str:
    """The rows as the Markdown table docs/operations.md carries."""
    lines = ["| key | default | description |", "| --- | --- | --- |"]
    for row in documented_rows(path):
        default = json.dumps(row.default, separators=(", ", ": "))
        description = row.description.replace("|", r"\|")
        lines.append(f"| `{row.key}` | `{default}` | {description} |")
    return "\n".join(lines) + "\n"


def _lookup(values: Any, dotted: list[str]) -> Any:
    node = values
    for key in dotted:
        node = node[key]
    return node


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
