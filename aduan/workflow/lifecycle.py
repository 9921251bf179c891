"""The lifecycle engine: one shared ``transitions`` machine, built once from the table.

A case is never attached to the machine: each action runs on a throw-away carrier holding only the
current status, so no trigger methods are bound onto domain or ORM objects, no per-case machine is
built, and attaching never resets a case to an initial state (DESIGN §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import ValidationError
from transitions import EventData, Machine

from aduan.workflow.actions import ACTIONS
from aduan.workflow.case import Actor, Case, CaseEvent, Outcomes
from aduan.workflow.context import ActionContext, Policy
from aduan.workflow.errors import (
    VERBATIM,
    InputError,
    InvalidTransitionError,
    PermissionDeniedError,
    RuleViolationError,
)
from aduan.workflow.guards import AUTHORITY_GUARDS, Guard
from aduan.workflow.payloads import Payload
from aduan.workflow.states import Action, Role, Status
from aduan.workflow.table import BLOCKED, RULES, Rule, Selector, allowed_actions, roles_for

_CONTEXT_FIELDS = {"links_context", "related_context", "chain_context"}
_NO_PAYLOAD = Payload()  # what the authority guards are tried with (frozen: one for all)


@dataclass(slots=True)
class _Carrier:
    """The machine's model for one action: only the status, nothing else."""

    state: str


def _guard_condition(guard: Guard) -> Any:
    def condition(event: EventData) -> bool:
        guard(event.kwargs["ctx"])  # raises RuleViolationError naming the rule
        return True

    return condition


def _selector_condition(selector: Selector) -> Any:
    def condition(event: EventData) -> bool:
        return selector(event.kwargs["ctx"])

    return condition


def _effect_callback(action: Action) -> Any:
    effect = ACTIONS[action].effect

    def before(event: EventData) -> None:
        effect(event.kwargs["ctx"])

    return before


def _conditions(rule: Rule) -> list[Any]:
    conditions = [_selector_condition(rule.when)] if rule.when else []
    return conditions + [_guard_condition(guard) for guard in rule.guards]


@cache
def machine() -> Machine:
    """The process-wide machine (built on first use, then shared by every case)."""
    m = Machine(
        model=None,
        states=[s.value for s in Status],
        initial=Status.RECORDED.value,
        auto_transitions=False,
        send_event=True,
    )
    for rule in RULES:
        m.add_transition(
            trigger=rule.action.value,
            source=rule.source.value,
            dest=rule.dest.value,
            conditions=_conditions(rule),
            before=[_effect_callback(rule.action)],
        )
    return m


def parse_payload(action: Action, data: dict[str, Any] | Payload) -> Payload:
    """Validate an action's fields, turning the first problem into an ``InputError``."""
    cls = ACTIONS[action].payload
    if isinstance(data, cls):
        return data
    raw = data.model_dump() if isinstance(data, Payload) else data
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        raise input_error(exc) from None


def input_error(exc: ValidationError) -> InputError:
    """The first pydantic error as an ``InputError`` naming the field and the rule."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "input"
    message = first["msg"].removeprefix("Value error, ")
    return InputError(field, first["type"], VERBATIM, text=message)


def check_permission(case: Case, action: Action, actor: Actor) -> None:
    """Raise unless the table has ``action`` from the case's status for the actor's role."""
    roles = roles_for(case.status, action)
    if not roles:
        blocked = BLOCKED.get((case.status, action))
        if blocked:
            raise RuleViolationError(case.ref, blocked.rule, blocked.message)
        raise InvalidTransitionError(case.ref, case.status.value, action.value)
    if actor.role not in roles:
        raise PermissionDeniedError(case.ref, case.status.value, action.value, actor.role.value)


def permitted_actions(
    case: Case, actor: Actor, now: datetime, policy: Policy | None = None
) -> tuple[Action, ...]:
    """What this actor may do on this case now: what the UI offers and the API lists.

    The role matrix (``allowed_actions``), narrowed by the authority guards, the ones that read
    only the actor and the case (agency, tier, APIP approval), so nobody is offered an action
    that will certainly be refused. Guards that read the payload or the time are left to the
    action itself, whose refusal names what is missing. Nothing on ``case`` changes.
    """
    ctx = ActionContext(case, actor, _NO_PAYLOAD, now, policy or Policy())
    return tuple(
        action
        for action in allowed_actions(case.status, actor.role)
        if _authorised(case.status, action, ctx)
    )


def _authorised(status: Status, action: Action, ctx: ActionContext) -> bool:
    """Whether the first row the action would take passes every authority guard."""
    for when, guards in _candidates(status, action, ctx.actor.role):
        if when and not when(ctx):
            continue
        try:
            for guard in guards:
                guard(ctx)
        except RuleViolationError:
            return False
        return True
    return False


@cache
def _candidates(
    status: Status, action: Action, role: Role
) -> tuple[tuple[Selector | None, tuple[Guard, ...]], ...]:
    """The rows by which ``role`` may take ``action`` from ``status``, in table order.

    Each as its selector and its authority guards. ``RULES`` is code, not data: worked out once
    per process instead of a scan of the whole table for every action offered after each step.
    """
    return tuple(
        (rule.when, tuple(g for g in rule.guards if g in AUTHORITY_GUARDS))
        for rule in RULES
        if rule.source is status and rule.action is action and role in rule.roles
    )


def perform(
    case: Case,
    action: Action,
    actor: Actor,
    payload: dict[str, Any] | Payload,
    now: datetime,
    policy: Policy | None = None,
) -> Outcomes:
    """Apply ``action`` to ``case`` in memory and return the audit event and reports to persist.

    Nothing changes on ``case`` unless every check passes: permission, payload, then guards,
    which run before the effect. The case records the action's domain event (its declaration
    names the class) for the save path to react to.
    """
    check_permission(case, action, actor)
    parsed = parse_payload(action, payload)
    ctx = ActionContext(case, actor, parsed, now, policy or Policy())
    before, assignee_before = case.status, case.assignee
    carrier = _Carrier(before.value)
    if not machine().events[action.value].trigger(carrier, ctx=ctx):
        raise InvalidTransitionError(case.ref, before.value, action.value)  # no selector matched
    case.status = Status(carrier.state)
    case.updated_at = now
    event = CaseEvent(
        action=action.value,
        actor=actor.username,
        role=actor.role,
        from_status=before,
        to_status=case.status,
        at=now,
        note=parsed.note,
        data=parsed.model_dump(mode="json", exclude=_CONTEXT_FIELDS | {"note"}),
    )
    reports = tuple(ctx.reports)
    case.record(
        ACTIONS[action].event(
            at=now,
            action=action,
            actor=actor.username,
            role=actor.role.value,
            from_status=before,
            to_status=case.status,
            assignee_before=assignee_before,
            payload=parsed,
            reports=reports,
        )
    )
    return Outcomes(event, reports)
