"""docs/ODD.md must match the code: every schema parameter documented, nothing documented that is gone.

After a schema change, regenerate the generated columns with
``python -c "from churnsim.validation import sync_odd; print(sync_odd())"`` and fill in the
unit and source of every path it prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from churnsim import validation as v
from churnsim.schema.scenario import schema_paths

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
FIX = 'run python -c "from churnsim.validation import sync_odd; print(sync_odd())" and document what it lists'


@pytest.fixture(scope="module")
def documented() -> dict[str, dict[str, str]]:
    return v.parse_odd_table(ODD.read_text())


def test_every_schema_parameter_is_in_the_odd_table_and_vice_versa(documented: dict[str, dict[str, str]]) -> None:
    schema = set(schema_paths())
    missing, stale = sorted(schema - set(documented)), sorted(set(documented) - schema)
    assert not missing, f"parameters missing from docs/ODD.md: {missing}; {FIX}"
    assert not stale, f"docs/ODD.md documents parameters the schema no longer has: {stale}; {FIX}"


def test_odd_defaults_and_ranges_are_the_schema_s(documented: dict[str, dict[str, str]]) -> None:
    rows = v.schema_rows()
    wrong = [f"{p}: ODD says {documented[p]['default']} in {documented[p]['range']}, schema {r['value']} in "
             f"{r['allowed']}" for p, r in rows.items()
             if p in documented and (documented[p]["default"] != r["value"] or documented[p]["range"] != r["allowed"])]
    assert not wrong, "\n".join(wrong) + f"\n{FIX}"


def test_every_parameter_has_a_unit_and_a_source(documented: dict[str, dict[str, str]]) -> None:
    bare = [p for p, r in documented.items() if not r["unit"].strip() or not r["source"].strip()]
    assert not bare, f"parameters without unit or source in docs/ODD.md: {bare}"


def test_odd_has_every_element_of_the_protocol() -> None:
    text = ODD.read_text()
    for heading in ("Purpose and patterns", "Entities, state variables and scales", "Process overview and scheduling",
                    "Design concepts", "Initialisation", "Input data", "Submodels", "Parameters"):
        assert f". {heading}" in text, heading
    for concept in ("Basic principles", "Emergence", "Adaptation", "Objectives", "Learning", "Prediction", "Sensing",
                    "Interaction", "Stochasticity", "Collectives", "Observation"):
        assert f"**{concept}.**" in text, concept


def test_the_table_round_trips_through_the_generator(documented: dict[str, dict[str, str]]) -> None:
    """Regenerating from the schema changes nothing: the table in the document is the generated one."""
    text = ODD.read_text()
    block = text[text.index(v.ODD_START) + len(v.ODD_START):text.index(v.ODD_END)].strip()
    assert block == v.render_odd_table(documented), FIX


def test_parser_rejects_malformed_rows() -> None:
    with pytest.raises(ValueError, match="6 cells"):
        v.parse_odd_table("| `market.months` | `60` | integer |")
    row = "| `market.months` | `60` | integer in [1, 1200] | months | scenario | months simulated |"
    with pytest.raises(ValueError, match="twice"):
        v.parse_odd_table(row + "\n" + row)
    assert v.parse_odd_table("| `network.kind` | `x` | a \\| b | choice | s | m |")["network.kind"]["range"] == "a | b"
