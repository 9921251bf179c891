"""Every action is declared whole: rule rows, payload, effect, event, label, notices, CLI, fillers.

A missing part would otherwise fail differently in each place: a ``KeyError`` at start-up, a raw
key on a page, a CLI option silently missing, a notice that never goes out.
"""

from __future__ import annotations

import inspect

import pytest
from typer.testing import CliRunner

from aduan.cli import act as cli_act
from aduan.cli.main import app
from aduan.locale import translate
from aduan.notifications import planner
from aduan.service.context import FILLERS
from aduan.workflow.actions import ACTIONS, PAYLOADS
from aduan.workflow.events import ActionTaken
from aduan.workflow.payloads import Payload
from aduan.workflow.states import Action
from aduan.workflow.table import RULES

EVERY_ACTION = list(Action)


@pytest.fixture(autouse=True)
def _no_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    # The root callback points structlog at the runner's stdout, closed after the test.
    monkeypatch.setattr("aduan.cli.main.bootstrap.configure_logging", lambda settings: None)


def test_every_action_has_a_declaration() -> None:
    assert set(ACTIONS) == set(Action)
    assert all(spec.action is action for action, spec in ACTIONS.items())


@pytest.mark.parametrize("action", EVERY_ACTION, ids=str)
def test_every_action_has_rule_rows_in_the_table(action: Action) -> None:
    assert any(rule.action is action for rule in RULES)


@pytest.mark.parametrize("action", EVERY_ACTION, ids=str)
def test_every_action_declares_payload_effect_event_and_label(action: Action) -> None:
    spec = ACTIONS[action]
    assert issubclass(spec.payload, Payload)
    assert callable(spec.effect)
    assert issubclass(spec.event, ActionTaken) and spec.event is not ActionTaken
    assert spec.label.strip() and spec.label != action.value
    assert translate(spec.label, "en") != spec.label, "the English catalog lacks the label"


def test_each_action_records_an_event_of_its_own() -> None:
    events = [spec.event for spec in ACTIONS.values()]
    assert len(set(events)) == len(events)


@pytest.mark.parametrize("action", EVERY_ACTION, ids=str)
def test_declared_notices_are_known_and_the_planner_reacts_to_them(action: Action) -> None:
    spec = ACTIONS[action]
    assert spec.notices <= set(planner.EVENTS)
    # An action that declares notices has a reaction of its own; one that declares none has not.
    assert bool(planner.own_reactions(spec.event)) == bool(spec.notices)


def test_the_payloads_mapping_is_the_declarations() -> None:
    assert {a: s.payload for a, s in ACTIONS.items()} == dict(PAYLOADS)


def test_every_typed_payload_field_is_an_option_of_aduan_act() -> None:
    result = CliRunner().invoke(app, ["act", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in cli_act.typed_fields():
        flag = "--" + cli_act.OPTION_NAMES.get(name, name).replace("_", "-")
        assert flag in result.output, f"{name}: {flag} missing from `aduan act --help`"


def test_every_option_of_aduan_act_names_a_payload_field() -> None:
    signature = inspect.signature(cli_act._command)
    fields = set(cli_act.typed_fields())
    fixed = {"case", "action", "as_user", "complainant", "pin", "version", "as_json"}
    assert set(signature.parameters) - fixed == fields


def test_every_field_the_service_supplies_has_a_filler() -> None:
    supplied = {
        name
        for spec in ACTIONS.values()
        for name in spec.payload.model_fields
        if name.endswith("_context")
    }
    assert supplied, "no payload has a *_context field any more: update this test"
    assert supplied <= set(FILLERS)
