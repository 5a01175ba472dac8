"""The ODD parameter table (docs/ODD.md): generated from the schema, units and sources written by hand.

Generating the default, range and meaning columns keeps the protocol document from drifting away
from the code; the tests fail when the two disagree.
"""

from __future__ import annotations

from pathlib import Path

from churnsim.schema.params import Scenario

ODD_START = "<!-- parameter-table:start (columns default, range and meaning are generated from the schema) -->"
ODD_END = "<!-- parameter-table:end -->"
ODD_HEADER = ("| parameter | default | range | unit | source | meaning |", "|---|---|---|---|---|---|")


def schema_rows() -> dict[str, dict[str, str]]:
    """Every schema path (``*`` for a provider or segment) with its default, allowed range and meaning."""
    import re

    from churnsim.schema.scenario import describe_parameters

    rows: dict[str, dict[str, str]] = {}
    for row in describe_parameters(Scenario()):
        path = re.sub(r"^(providers|segments)\.[^.]+\.", r"\1.*.", row["path"])
        rows.setdefault(path, row)
    return rows


def _cells(line: str) -> list[str]:
    import re

    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def parse_odd_table(text: str) -> dict[str, dict[str, str]]:
    """The parameter rows of an ODD document (between the table markers, if present): path -> cells."""
    if ODD_START in text and ODD_END in text:
        text = text[text.index(ODD_START) + len(ODD_START):text.index(ODD_END)]
    rows: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cells = _cells(line)
        if len(cells) != 6:
            raise ValueError(f"ODD parameter row needs 6 cells, got {len(cells)}: {line[:80]}")
        path = cells[0].strip("`")
        if path in rows:
            raise ValueError(f"ODD parameter row {path!r} appears twice")
        rows[path] = dict(zip(("default", "range", "unit", "source", "meaning"),
                              (c.strip("`") if i == 0 else c for i, c in enumerate(cells[1:])), strict=True))
    return rows


def render_odd_table(documented: dict[str, dict[str, str]]) -> str:
    """The parameter table from the schema, keeping the hand-written unit and source of each path."""
    lines = list(ODD_HEADER)
    for path, row in sorted(schema_rows().items()):
        old = documented.get(path, {})
        cells = [f"`{path}`", f"`{row['value']}`", row["allowed"], old.get("unit", ""), old.get("source", ""),
                 row["meaning"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def sync_odd(path: str | Path = "docs/ODD.md") -> list[str]:
    """Regenerate the ODD parameter table in place after a schema change; returns paths lacking unit or source.

    Run ``python -c "from churnsim.validation import sync_odd; print(sync_odd())"`` from the
    repository root, then write the unit and source of every path it lists.
    """
    from churnsim.outputs import write_text

    path = Path(path)
    text = path.read_text()
    start, end = text.index(ODD_START) + len(ODD_START), text.index(ODD_END)
    table = render_odd_table(parse_odd_table(text))
    write_text(text[:start] + "\n" + table + "\n" + text[end:], path)
    return [p for p, r in parse_odd_table(table).items() if not r["unit"] or not r["source"]]

