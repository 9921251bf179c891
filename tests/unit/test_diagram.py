"""The lifecycle page in the docs is drawn from the transition table and kept up to date."""

from __future__ import annotations

import re
from pathlib import Path

from aduan.workflow import diagram
from aduan.workflow.states import Action, Role, Status
from aduan.workflow.table import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"


def test_lifecycle_doc_matches_the_transition_table() -> None:
    stale = "docs/lifecycle.md is stale: run `python -m aduan.workflow.diagram` and commit it"
    assert DOC.is_file(), stale
    assert DOC.read_text(encoding="utf-8") == diagram.document(), stale


def test_every_action_appears_in_the_state_chart() -> None:
    chart = diagram.mermaid()
    missing = [a.value for a in Action if not re.search(rf"\b{a.value}\b", chart)]
    assert missing == []


def test_every_status_is_a_state_of_the_chart() -> None:
    chart = diagram.mermaid()
    assert chart.startswith("stateDiagram-v2\n")
    for status in Status:
        assert f" as {status.value}\n" in chart


def test_each_status_change_is_one_labelled_edge() -> None:
    chart = diagram.mermaid()
    for rule in RULES:
        if rule.source is not rule.dest:
            edge = f"    {rule.source.value} --> {rule.dest.value} : {rule.action.value} ("
            assert chart.count(edge) == 1, edge


def test_selector_rows_carry_their_condition_on_the_edge() -> None:
    chart = diagram.mermaid()
    assert "apip_pending --> reviewed : refuse_apip (head, agency_head) when from reviewed" in chart


def test_a_changed_table_changes_the_chart() -> None:
    without_refer = tuple(rule for rule in RULES if rule.action is not Action.REFER)
    assert "refer (" in diagram.mermaid()
    assert "refer (" not in diagram.mermaid(without_refer)


def test_role_matrix_has_a_column_per_role_and_a_row_per_possible_action() -> None:
    matrix = diagram.role_matrix().splitlines()
    header = [cell.strip() for cell in matrix[0].strip("|").split("|")]
    assert header[3:-1] == [role.value for role in Role]
    pairs = {(rule.source, rule.action) for rule in RULES}
    assert len(matrix) == 2 + len(pairs)
    assert "| `suggestion` | `accept_late` | `recorded` |  | ✓ | ✓ |" in diagram.role_matrix()
