"""Fields of an action's payload that the service supplies or checks against reference data.

A payload field named here is filled (or checked) from the catalog, the organisation chart or
earlier records before the action runs: the person never types ``*_context`` fields, and
``tests/unit/test_action_declarations.py`` fails when such a field has no filler here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aduan.catalog.services import standard_links
from aduan.ports import UnitOfWork
from aduan.service import duplicates
from aduan.service.deps import Deps, unknown_service
from aduan.workflow.case import Actor, Case
from aduan.workflow.errors import InputError
from aduan.workflow.payloads import ApipApprovalPayload, Payload
from aduan.workflow.states import N_, Action
from aduan.workflow.table import roles_for

KEEP = object()  # a filler's answer: leave the field as the person typed it


@dataclass(frozen=True, slots=True)
class Situation:
    """What fillers read: the dependencies, the unit of work, the case and who acts."""

    deps: Deps
    uow: UnitOfWork
    case: Case
    actor: Actor


Filler = Callable[[Situation, Payload], Any]


def _known_service(s: Situation, payload: Payload) -> Any:
    code = getattr(payload, "service_code")  # noqa: B009 - named by the field it fills
    if code is None:  # optional where it may be left out (the public Q&A's service)
        return KEEP
    if s.deps.reference.service(s.uow, code) is None:
        raise unknown_service(s.uow, code)
    return KEEP


def _standard_links(s: Situation, payload: Payload) -> Any:
    code = s.case.service_code
    service = s.deps.reference.service(s.uow, code) if code else None
    return standard_links(service, s.case.problem_types)


def _related(s: Situation, payload: Payload) -> Any:
    return s.uow.cases.related(s.case)


def _main(s: Situation, payload: Payload) -> Case | None:
    # Issue 14 item 4: the main case a duplicate joins, found in the actor's sight and checked;
    # not looked up for whoever may not merge this case now (the table refuses them).
    if s.actor.role not in roles_for(s.case.status, Action.MARK_DUPLICATE):
        return None
    typed = getattr(payload, "main_code")  # noqa: B009 - named by the field it reads
    return duplicates.main_case(s.uow, s.case, s.actor, typed)


def _main_case(s: Situation, payload: Payload) -> Any:
    main = _main(s, payload)
    return main.id if main else None


def _shown_code(s: Situation, payload: Payload) -> Any:
    # The duplicate's complainant hears the main case's code only when it is theirs too.
    main = _main(s, payload)
    return main.tracking_code if main and duplicates.same_complainant(s.case, main) else None


def _main_due(s: Situation, payload: Payload) -> Any:
    main = _main(s, payload)
    return main.response_due_at.isoformat() if main and main.response_due_at else None


def _merged_into(s: Situation, payload: Payload) -> Any:
    # Undoing a merge (issue 14 item 4): the main case it leaves, whose timeline says so too.
    return s.case.merged_into


def _chain(s: Situation, payload: Payload) -> Any:
    chart = s.deps.reference.orgchart(s.uow)
    agency = getattr(payload, "agency", None)
    if isinstance(payload, ApipApprovalPayload):
        unit = chart.apip().code
    else:
        unit = chart.agency(agency).code if agency else chart.office().code
    chain = chart.chain(unit)
    if not chain:
        raise InputError(
            "agency",
            "has_chain",
            N_("unit '%(unit)s' belum punya jabatan"),
            unit=unit,
        )
    # Conflict of interest (issue 16 item 3): the levels held by staff the case concerns are
    # left out, so the case is held by, and escalates to, the next level up not concerned.
    concerned = s.uow.cases.concerns(s.case.id) if s.case.id is not None else frozenset()
    kept = [level for level in chain if level.holder not in concerned]
    if not kept:
        raise InputError(
            "agency",
            "unconcerned_level",
            N_("setiap jabatan unit '%(unit)s' dipegang staf yang terkait dengan pengaduan"),
            unit=unit,
        )
    # Every case always has a holder (issue 13 item 2): routing to a post nobody holds, with
    # no acting holder (Plt.) named for it, would leave the 14-day clock running unattended.
    if kept[0].holder is None:
        raise InputError(
            "agency",
            "entry_post_held",
            N_(
                "jabatan '%(title)s' kosong dan belum ada pelaksana tugas (Plt.); administrator "
                "dapat menunjuk Plt. pada bagan organisasi [entry_post_held]"
            ),
            title=kept[0].title,
        )
    return kept


def _addressee(s: Situation, payload: Payload) -> Any:
    if getattr(payload, "addressee", None) is not None:
        return KEEP
    # Item 8: the superior of the post that decided, not of whoever files the report.
    decided = s.case.result_position or s.actor.position
    superior = s.deps.reference.orgchart(s.uow).superior_of(decided)
    return superior[0] if superior else "atasan langsung"


def _superior(s: Situation, payload: Payload) -> Any:
    # Item 8: a referral is reported to the referring officer's direct superior.
    superior = s.deps.reference.orgchart(s.uow).superior_of(s.actor.position)
    return superior[0] if superior else None


FILLERS: dict[str, Filler] = {
    "superior_context": _superior,
    "service_code": _known_service,
    "links_context": _standard_links,
    "related_context": _related,
    "chain_context": _chain,
    "addressee": _addressee,
    "main_context": _main_case,
    "shown_code_context": _shown_code,
    "main_due_context": _main_due,
    "merged_into_context": _merged_into,
}


def with_context(
    deps: Deps, uow: UnitOfWork, case: Case, actor: Actor, payload: Payload
) -> Payload:
    """``payload`` with the fields the service supplies filled, after checking the typed ones."""
    situation = Situation(deps, uow, case, actor)
    updates = {}
    for name in type(payload).model_fields:
        filler = FILLERS.get(name)
        if filler is not None:
            value = filler(situation, payload)
            if value is not KEEP:
                updates[name] = value
    return payload.model_copy(update=updates) if updates else payload
