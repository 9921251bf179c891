"""Conflict of interest (issue 16 item 3): the staff a complaint concerns (terlapor).

Office complaint staff and the Head name the staff members a case concerns, with a written
reason. From then on they neither see nor act on it (the visibility policy leaves out a case
that names the viewer: ``aduan.workflow.visibility``), and its tier chain skips them
(``aduan.workflow.effects.skip_concerned``): a case they hold moves to the next level above
that is not concerned, and that holder is told through the ``assigned`` notice. A complaint
about the conduct of the office's own staff can be sealed with it (or by the Head alone) to the
Head of Office and APIP.

The naming is an audit entry through the one save path (``aduan.service.saving``), so it is on
the case's timeline and append-only like every other change; the names themselves are rows of
``case_concerns``, only ever added.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog
from pydantic import BaseModel

from aduan.catalog.orgchart import OrgChart
from aduan.service.deps import Deps, case_ref, viewer_of
from aduan.service.saving import CaseChange, save_case
from aduan.workflow.case import Actor, Case, CaseEvent, Outcomes
from aduan.workflow.effects import skip_concerned
from aduan.workflow.errors import AccessDeniedError, InputError
from aduan.workflow.events import ConcernsNamed
from aduan.workflow.states import N_, Role

log = structlog.get_logger()

MAX_REASON = 2000
ACTION = "name_concerned"  # the audit entry's action
OFFICE_STAFF = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.HEAD})


class ConcernsView(BaseModel):
    """What a case now records about the staff it concerns."""

    tracking_code: str
    concerned: list[str]
    added: list[str]
    sealed: bool
    assignee: str | None
    version: int


def checked(concerned: Sequence[str], reason: str) -> tuple[list[str], str]:
    """The distinct names and the stripped reason; an ``InputError`` without a reason."""
    names = list(dict.fromkeys(n.strip() for n in concerned if n.strip()))
    text = reason.strip()
    if not text:
        raise InputError("reason", "required", N_("alasan mencatat terlapor wajib diisi"))
    if len(text) > MAX_REASON:
        raise InputError(
            "reason",
            "max_length",
            N_("alasan paling panjang %(limit)s karakter"),
            limit=MAX_REASON,
        )
    return names, text


def check_namer(actor: Actor) -> None:
    """Only office staff (officer, supervisor, head) name the staff a case concerns."""
    if actor.role not in OFFICE_STAFF:
        raise AccessDeniedError(
            "office_staff",
            N_("terlapor dicatat oleh petugas, koordinator atau Kepala Kantor"),
        )


def check_staff(chart: OrgChart, names: Sequence[str]) -> None:
    """Every name is a staff user of the org chart; else an ``InputError`` naming it."""
    for name in names:
        if name not in chart.users:
            raise InputError(
                "staff",
                "known_staff",
                N_("'%(username)s' bukan staf dalam bagan organisasi"),
                username=name,
            )


def naming_entry(
    actor: Actor, case: Case, added: list[str], sealed: bool, reason: str, at: datetime
) -> CaseEvent:
    """The audit entry of naming ``added`` (and sealing the case, if ``sealed``)."""
    return CaseEvent(
        action=ACTION,
        actor=actor.username,
        role=actor.role,
        from_status=case.status,
        to_status=case.status,
        at=at,
        note=reason,
        data={"concerned": added, "sealed": sealed, "assignee": case.assignee},
    )


def name_concerned(
    deps: Deps,
    ref: str,
    username: str,
    concerned: Sequence[str],
    reason: str,
    *,
    seal: bool = False,
) -> ConcernsView:
    """Name the staff ``concerned`` by case ``ref``, as ``username``, for a written ``reason``.

    Office staff (officer, supervisor, head) only. Every name must be a staff user of the org
    chart; with ``seal`` the case is sealed to the Head of Office and APIP (the Head may seal
    without naming anyone). Bad input writes nothing.
    """
    names, text = checked(concerned, reason)
    now = deps.clock.now()
    with deps.uow() as uow:
        viewer = viewer_of(deps, uow, username)
        actor = viewer.actor
        check_namer(actor)
        if not names and not (seal and actor.role is Role.HEAD):
            raise InputError("staff", "required", N_("sebutkan sedikitnya satu staf terlapor"))
        case = uow.cases.get(case_ref(ref), viewer.sight)
        assert case.id is not None
        check_staff(deps.reference.orgchart(uow), names)
        loaded_version, before = case.version, case.assignee
        already = uow.cases.concerns(case.id)
        was_sealed = uow.cases.sealed(case.id)
        skip_concerned(case, already | set(names))  # may refuse: nothing written yet
        added = uow.cases.add_concerns(case.id, names, actor.username, now, text)
        sealing = seal and not was_sealed
        if sealing:
            uow.cases.seal(case.id)
        if added or sealing:
            event = naming_entry(actor, case, added, sealing, text, now)
            case.record(
                ConcernsNamed(
                    at=now, actor=actor.username, concerned=tuple(added), assignee_before=before
                )
            )
            save_case(deps, uow, CaseChange(case, loaded_version, [Outcomes(event)]), now)
        uow.commit()
        view = ConcernsView(
            tracking_code=case.tracking_code,
            concerned=sorted(already | set(added)),
            added=added,
            sealed=was_sealed or sealing,
            assignee=case.assignee,
            version=case.version,
        )
    log.info("concerns_named", case_id=case.id, by=actor.username, count=len(added))
    return view
