"""Every case always has a holder (issue 13 item 2), with the sample org chart on both engines:
an approved APIP case goes to the inspectorate's entry post, routing to a post nobody holds is
refused unless an acting holder (Plt.) is named, and a holder who is deactivated hands their
open cases to the post above, on record."""

from __future__ import annotations

import pytest

from aduan.service import Deps
from aduan.service.reference import add_user, set_acting, show_orgchart
from aduan.workflow.errors import InputError
from aduan.workflow.states import Action
from tests.integration import builders as b


def sent_to(deps: Deps, username: str) -> list[str]:
    with deps.uow(readonly=True) as uow:
        return [m.event for m in uow.outbox.for_recipient(username)]


def test_an_approved_apip_case_is_held_by_the_inspectorate_and_it_is_told(deps: Deps) -> None:
    case = b.apip_pending_case(deps)

    approved = b.act(deps, case, Action.APPROVE_APIP, "dewi")

    assert (approved.track, approved.assignee) == ("apip", "irfan")
    assert approved.holder == "Auditor Inspektorat"
    assert "assigned" in sent_to(deps, "irfan")
    mine = b.service.work_queue(deps, "irfan")
    assert [item.case.tracking_code for item in mine] == [case.tracking_code]


def test_routing_to_a_vacant_post_is_refused_until_an_acting_holder_is_named(deps: Deps) -> None:
    tono = show_orgchart(deps).users["tono"]  # Tim Teknis Peternakan, Dinas Pertanian's entry
    add_user(deps, tono.model_copy(update={"active": False}), by="admin")
    reviewed = b.reviewed_case(deps)

    with pytest.raises(InputError) as refused:
        b.act(deps, reviewed, Action.ROUTE_AGENCY, "budi")
    assert refused.value.rule == "entry_post_held"
    assert "Tim Teknis Peternakan" in refused.value.message_en
    assert b.service.get_case(deps, reviewed.tracking_code, "budi").status == "reviewed"

    set_acting(deps, "tim-teknis-dispertan", "yuni", by="admin")
    routed = b.act(deps, reviewed, Action.ROUTE_AGENCY, "budi")
    assert routed.assignee == "yuni"


def test_a_deactivated_holder_hands_open_cases_to_the_post_above(deps: Deps) -> None:
    held = b.internal_case(deps)  # tier 1: budi
    assert held.assignee == "budi"
    budi = show_orgchart(deps).users["budi"]

    add_user(deps, budi.model_copy(update={"active": False}), by="admin")

    after = b.service.get_case(deps, held.tracking_code, "sari")
    assert after.assignee == "sari"
    last = after.timeline[-1]
    assert (last.action, last.actor, last.data) == (
        "handed_over",
        "admin",
        {"from": "budi", "to": "sari"},
    )
    assert "assigned" in sent_to(deps, "sari")
