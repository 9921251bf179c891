"""A model-based test of the service layer: random people doing random things at random times.

A hypothesis ``RuleBasedStateMachine`` over the service (in-memory adapters, a fixed clock):
complaints and suggestions come in with random text; random staff take an action the case page
offers them, or sometimes one it does not (which must be refused); the clock jumps; the sweep
runs. After every step, for every case: its status is the end of its trail; closed only with an
answer and the report to the superior; APIP only after the head's approval or on a legal basis;
an open complaint has a holder and an answer deadline on a working day, a suggestion never has
one; and each person's case list is exactly what a plain model of the visibility policy gives.

Short in CI; ``ADUAN_MODEL_EXAMPLES=2000`` (and ``ADUAN_MODEL_STEPS``) for a long run.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from aduan.adapters.memory.files import InMemoryFileStore
from aduan.adapters.memory.uow import InMemoryUnitOfWorkFactory
from aduan.ports import CaseQuery, FixedClock
from aduan.schemas.commands import ActionCommand, SubmitCommand
from aduan.schemas.views import CaseDetail
from aduan.service import (
    Deps,
    get_case,
    list_cases,
    perform_action,
    seed_reference_data,
    submit_complaint,
)
from aduan.service.cases import open_apip_by_code
from aduan.service.timekeeping import sweep
from aduan.workflow.errors import AduanError
from aduan.workflow.intake import WIB, wib_date
from aduan.workflow.states import OPEN_STATUSES, Action, Status
from tests.conftest import NOW
from tests.integration.builders import COMPLAINANT, PAYLOADS, SERVICE

STAFF = {  # the sample org chart: username -> (role, unit)
    "budi": ("officer", "dpmptsp"),
    "sari": ("supervisor", "dpmptsp"),
    "agus": ("supervisor", "dpmptsp"),
    "dewi": ("head", "dpmptsp"),
    "tono": ("agency_officer", "dispertan"),
    "rina": ("agency_head", "dispertan"),
    "irfan": ("apip", "inspektorat"),
    "admin": ("admin", None),
}
ACTORS = sorted(STAFF)
EXTRA = {
    Action.REFER: {"addressee": "Ombudsman RI Perwakilan Jawa Barat", "reason": "Bukan wewenang"},
}
EXAMPLES = int(os.environ.get("ADUAN_MODEL_EXAMPLES", "12"))
STEPS = int(os.environ.get("ADUAN_MODEL_STEPS", "30"))


def payload_for(action: Action) -> dict[str, Any]:
    """A valid payload for ``action`` (the integration builders' and a few more)."""
    return dict(PAYLOADS.get(action, EXTRA.get(action, {})))


class Lifecycle(RuleBasedStateMachine):
    """The service layer under random use, with a model of who may see which case."""

    cases = Bundle("cases")

    @initialize()
    def office(self) -> None:
        self.clock = FixedClock(NOW)
        self.deps = Deps(
            uow=InMemoryUnitOfWorkFactory(), clock=self.clock, files=InMemoryFileStore()
        )
        seed_reference_data(self.deps)
        self.codes: list[str] = []

    # --- rules ----------------------------------------------------------------------------

    @rule(
        target=cases,
        named=st.booleans(),
        subject=st.one_of(st.just("Sertifikat standar belum terbit"), st.text(max_size=40)),
        days_ago=st.integers(0, 45),
    )
    def submit(self, named: bool, subject: str, days_ago: int) -> str:
        complainant = COMPLAINANT if named else {"name": None}
        fields = {
            "channel": "web_dpmptsp",
            "complainant": complainant,
            "subject": subject,
            "description": "Sudah lewat hari kerja sejak berkas lengkap",
            "service_code": SERVICE,
            "service_received_on": wib_date(self.clock.now()) - timedelta(days=days_ago),
        }
        try:
            case = submit_complaint(self.deps, SubmitCommand.model_validate(fields))
        except (AduanError, ValueError):  # bad text or a late complaint: refused, nothing kept
            return self.codes[-1] if self.codes else ""
        self.codes.append(case.tracking_code)
        return case.tracking_code

    @rule(case=cases, who=st.sampled_from(ACTORS), offered=st.integers(0, 9), data=st.data())
    def act(self, case: str, who: str, offered: int, data: st.DataObject) -> None:
        if not case:
            return
        shown = self._seen(case, who)
        allowed = [Action(a) for a in shown.allowed_actions] if shown else []
        if allowed and offered > 0:
            action = data.draw(st.sampled_from(allowed))
        else:  # one the page does not offer this person: refused, nothing changes
            others = [a for a in Action if a not in allowed]
            action = data.draw(st.sampled_from(others))
        payload = payload_for(action)
        if payload and data.draw(st.integers(0, 9)) == 0:  # sometimes a damaged payload
            key = data.draw(st.sampled_from(sorted(payload)))
            payload[key] = data.draw(st.one_of(st.text(max_size=5), st.integers(), st.none()))
        before = self._seen(case, "dewi")
        try:
            cmd = ActionCommand(case_ref=case, action=action, payload=payload)
            perform_action(self.deps, cmd, who)
        except (AduanError, ValueError):  # ValueError: pydantic refused the command itself
            after = self._seen(case, "dewi")
            assert after == before, f"a refused {action} by {who} changed the case"
            return
        assert action in allowed, f"{who} did {action}, which the page did not offer"

    @rule(case=cases, basis=st.sampled_from(["own_audit", "ombudsman", "lapor"]))
    def apip_takes_up(self, case: str, basis: str) -> None:
        if not case:
            return
        payload = {"legal_basis": basis, "reason": "Rujukan diterima"}
        try:
            open_apip_by_code(self.deps, case, "irfan", payload)
        except AduanError:
            return

    @rule(hours=st.integers(1, 24 * 12))
    def time_passes(self, hours: int) -> None:
        self.clock.current = self.clock.current + timedelta(hours=hours)

    @rule()
    def sweep_runs(self) -> None:
        sweep(self.deps)

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def every_case_keeps_its_rules(self) -> None:
        for code in getattr(self, "codes", []):
            detail = get_case(self.deps, code, "dewi")
            check_case(self.deps, detail)

    @invariant()
    def each_person_sees_what_the_policy_gives(self) -> None:
        if not getattr(self, "codes", None):
            return
        details = [get_case(self.deps, code, "dewi") for code in self.codes]
        for who, (role, unit) in STAFF.items():
            listed = {c.tracking_code for c in list_cases(self.deps, CaseQuery(limit=1000), who)}
            expected = {d.tracking_code for d in details if model_sees(role, unit, d)}
            assert listed == expected, (who, listed ^ expected)

    def _seen(self, code: str, who: str) -> CaseDetail | None:
        try:
            return get_case(self.deps, code, who)
        except AduanError:
            return None


def units_of(detail: CaseDetail) -> set[str]:
    """The units a case has been with, read from its trail (the model, not the adapters)."""
    units: set[str] = set()
    for event in detail.timeline:
        if event.action == "route_agency":
            units.add(str(event.data.get("agency") or detail.agency_unit or ""))
        if event.to_status == Status.APIP:
            units.add("inspektorat")
    return units


def model_sees(role: str, unit: str | None, detail: CaseDetail) -> bool:
    """DESIGN §6 in a few lines: the office sees all; an agency or APIP what was with it."""
    if role in ("officer", "supervisor", "head"):
        return True
    if role in ("agency_officer", "agency_head", "apip"):
        return unit in units_of(detail)
    return False


def check_case(deps: Deps, detail: CaseDetail) -> None:
    """The invariants of one case, as the Head of Office sees it."""
    trail = detail.timeline
    assert trail and trail[-1].to_status == detail.status, detail.tracking_code
    actions = [e.action for e in trail]
    if detail.status == Status.CLOSED:
        assert detail.answered_at is not None and detail.reported_at is not None
    if detail.status == Status.APIP or "inspektorat" in units_of(detail):
        assert "approve_apip" in actions or "open_apip" in actions, actions
    if detail.kind == "suggestion":
        assert detail.response_due_at is None and not detail.deadlines
    elif Status(detail.status) in OPEN_STATUSES:
        with deps.uow(readonly=True) as uow:
            calendar = deps.calendars.get(uow)
            chart = deps.reference.orgchart(uow)
        entry = chart.office().entry_position
        # Before a track, an unassigned case is held by the office's entry post (the sweep
        # reminds its holder); on a track, by the tier holder.
        untracked = detail.track is None and entry is not None and chart.holder(entry)
        assert detail.assignee or detail.holder or untracked, detail.tracking_code
        assert detail.response_due_at is not None
        assert calendar.is_working_day(detail.response_due_at.astimezone(WIB).date())


Lifecycle.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TestLifecycle = Lifecycle.TestCase
