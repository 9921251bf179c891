"""The answer clock paused and extended (issue 14 item 5), on SQLite and PostgreSQL.

A complaint received on Tuesday 2026-08-11, 10:00 WIB, is due at the end of Wednesday
2 September (tests/integration/test_sweep.py). 17 August (Monday) and 25 August (Tuesday) are
holidays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from aduan import service
from aduan.adapters.sql.tables import alarms, outbox
from aduan.ports import FixedClock
from aduan.reports import period
from aduan.reports.statistics import statistics_csv
from aduan.schemas.views import CaseDetail
from aduan.service import Deps, timekeeping
from aduan.service.reports import compute_statistics
from aduan.workflow.errors import InputError, RuleViolationError
from aduan.workflow.intake import WIB
from aduan.workflow.states import Action
from tests.integration.builders import act, engine_of, reviewed_case, row_counts, submit

A = Action
RECEIVED = datetime(2026, 8, 11, 3, 0, tzinfo=UTC)
QUESTION = "Mohon kirim nomor NIB dan foto sertifikat yang Anda terima."


def wib(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=WIB).astimezone(UTC)


def end_of(month: int, day: int) -> datetime:
    return datetime.combine(date(2026, month, day), time(23, 59, 59), WIB).astimezone(UTC)


def pending_alarms(deps: Deps, case_id: int) -> list[tuple[str, str, datetime]]:
    with engine_of(deps).connect() as conn:
        rows = conn.execute(
            select(alarms.c.kind, alarms.c.point, alarms.c.due_at)
            .where(alarms.c.case_id == case_id, alarms.c.fired_at.is_(None))
            .order_by(alarms.c.fire_at)
        ).all()
    return [(k, p, d.astimezone(UTC)) for k, p, d in rows]


def notices(deps: Deps, event: str) -> list[dict[str, Any]]:
    with engine_of(deps).connect() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.event == event)).mappings().all()
    return [dict(r) for r in rows]


def asked(deps: Deps, clock: FixedClock, at: datetime) -> CaseDetail:
    """A reviewed complaint (with its PIN) whose officer asked for information at ``at``."""
    clock.current = RECEIVED
    case = submit(deps)  # the receipt's detail: it carries the PIN
    act(deps, case, A.CLASSIFY, "budi")
    act(deps, case, A.REVIEW, "budi")
    clock.current = at
    act(deps, case, A.REQUEST_INFO, "budi", question=QUESTION)
    return case


def test_a_request_stops_the_clock_and_the_complainants_reply_moves_the_deadline(
    deps: Deps, clock: FixedClock
) -> None:
    case = asked(deps, clock, wib(8, 14))  # Friday; Monday 17 August is a holiday

    waiting = service.get_case(deps, case.tracking_code, "budi")
    (response,) = [d for d in waiting.deadlines if d.kind == "response"]
    assert response.paused and not response.overdue
    assert waiting.answer_clock.question == QUESTION
    assert waiting.answer_clock.waiting_since == wib(8, 14)
    assert A.RECORD_INFO_REPLY.value in waiting.allowed_actions
    assert A.REQUEST_INFO.value not in waiting.allowed_actions
    # The complainant hears the question; the deadlines' reminders are silent; the wait rings.
    (notice,) = notices(deps, "info_requested")
    assert notice["payload"]["context"]["question"] == QUESTION
    pending = pending_alarms(deps, case.id)
    assert {kind for kind, _, _ in pending} == {"info_wait"}  # the stage stands still too
    # The wait ends 10 working days after Friday 14 August (17 and 25 August are holidays).
    assert [a for a in pending if a[0] == "info_wait"] == [("info_wait", "breach", end_of(9, 1))]
    tracked = service.track_case(deps, case.tracking_code)
    assert tracked.answer_clock.question == QUESTION

    clock.current = wib(8, 18)  # Tuesday: one working day stood still (Monday was a holiday)
    service.act_as_complainant(
        deps, case.tracking_code, A.RECORD_INFO_REPLY, {"reply": "NIB 9120001234567"}, case.pin
    )

    resumed = service.get_case(deps, case.tracking_code, "budi")
    assert resumed.response_due_at == end_of(9, 3)
    assert resumed.answer_clock.waiting_since is None
    assert resumed.answer_clock.paused_days == 1
    kinds = {(k, p) for k, p, _ in pending_alarms(deps, case.id)}
    assert ("info_wait", "breach") not in kinds
    assert ("response", "breach", end_of(9, 3)) in pending_alarms(deps, case.id)
    actions = [e.action for e in resumed.timeline]
    assert actions[-2:] == ["request_info", "record_info_reply"]
    assert resumed.timeline[-1].data == {"reply": "NIB 9120001234567"}
    history = [label for _, label in service.track_case(deps, case.tracking_code).history]
    assert history[-2:] == [
        "Menunggu informasi dari pelapor",
        "Informasi dari pelapor diterima; batas waktu jawaban berjalan kembali",
    ]


def test_the_sweep_resumes_the_clock_when_the_wait_runs_out(deps: Deps, clock: FixedClock) -> None:
    case = asked(deps, clock, wib(8, 20))  # Thursday; the wait ends with Friday 4 September

    clock.current = end_of(9, 4) - timedelta(minutes=1)
    early = timekeeping.sweep(deps)
    clock.current = end_of(9, 4) + timedelta(seconds=1)
    report = timekeeping.sweep(deps)

    assert early.counts["resumed"] == 0 and report.counts["resumed"] == 1
    resumed = service.get_case(deps, case.tracking_code, "budi")
    # Ten working days stood still (21, 24, 26–28, 31 August, 1–4 September): due 17 September.
    assert resumed.answer_clock.paused_days == 10
    assert resumed.response_due_at == end_of(9, 16)
    (ended,) = [e for e in resumed.timeline if e.action == "end_info_wait"]
    assert ended.role == "system"
    assert ("response", "breach", end_of(9, 16)) in pending_alarms(deps, case.id)
    clock.current = end_of(9, 7)
    assert timekeeping.sweep(deps).counts["resumed"] == 0  # rung once


def test_a_wait_alarm_after_the_reply_is_stale(deps: Deps, clock: FixedClock) -> None:
    case = asked(deps, clock, wib(8, 20))
    clock.current = wib(8, 21)
    act(deps, case, A.RECORD_INFO_REPLY, "budi", reply="Pelapor menelepon: NIB 912")

    clock.current = end_of(9, 4) + timedelta(seconds=1)
    report = timekeeping.sweep(deps)

    assert report.counts["resumed"] == 0
    assert service.get_case(deps, case.tracking_code, "budi").answer_clock.paused_days == 1


def test_bad_input_is_refused_by_name_and_writes_nothing(deps: Deps, clock: FixedClock) -> None:
    clock.current = RECEIVED
    case = reviewed_case(deps)
    clock.current = wib(8, 20)
    before = (row_counts(deps), len(notices(deps, "deadline_extended")))

    with pytest.raises(RuleViolationError) as not_waiting:
        act(deps, case, A.RECORD_INFO_REPLY, "budi", reply="x")
    with pytest.raises(InputError) as no_reason:
        act(deps, case, A.EXTEND_DEADLINE, "sari", working_days=3, reason="")
    with pytest.raises(InputError) as not_later:
        act(deps, case, A.EXTEND_DEADLINE, "sari", until="2026-09-02", working_days=None)
    with pytest.raises(InputError) as too_long:
        act(deps, case, A.EXTEND_DEADLINE, "sari", working_days=20, reason="Survei lapangan")

    assert not_waiting.value.rule == "not_waiting_for_info"
    assert (no_reason.value.field, not_later.value.field) == ("reason", "until")
    assert (not_later.value.rule, too_long.value.rule) == ("after_current_deadline", "at_most_cap")
    assert (row_counts(deps), len(notices(deps, "deadline_extended"))) == before
    unchanged = service.get_case(deps, case.tracking_code, "budi")
    assert unchanged.response_due_at == end_of(9, 2)

    act(deps, case, A.REQUEST_INFO, "budi", question=QUESTION)
    counted = row_counts(deps)
    with pytest.raises(RuleViolationError) as twice:
        act(deps, case, A.REQUEST_INFO, "budi", question="Lagi?")
    assert twice.value.rule == "info_already_requested"
    assert row_counts(deps) == counted


def test_an_extension_is_told_with_its_reason_and_judged_apart_in_the_statistics(
    deps: Deps, clock: FixedClock
) -> None:
    clock.current = RECEIVED
    case = reviewed_case(deps)
    clock.current = wib(8, 28)
    reason = "Menunggu hasil pemeriksaan lapangan Dinas Pertanian"
    act(deps, case, A.EXTEND_DEADLINE, "sari", until="2026-09-09", working_days=None, reason=reason)

    extended = service.get_case(deps, case.tracking_code, "sari")
    assert extended.response_due_at == end_of(9, 9)
    assert extended.answer_clock.original_due_at == end_of(9, 2)
    assert extended.answer_clock.extension_reason == reason
    (notice,) = notices(deps, "deadline_extended")
    assert notice["payload"]["context"]["reason"] == reason
    tracked = service.track_case(deps, case.tracking_code)
    assert tracked.answer_clock.extension_reason == reason
    assert tracked.response_due_at == end_of(9, 9)

    clock.current = wib(9, 7)  # after the original deadline, before the extended one
    act(deps, case, A.RESPOND, "budi", text="Sertifikat Anda telah terbit.")

    s = compute_statistics(deps, period.month("2026-09"), "dewi")
    assert (s.compliance.on_time, s.compliance.late, s.compliance.extended) == (1, 0, 1)
    assert s.compliance_original is not None
    assert (s.compliance_original.on_time, s.compliance_original.late) == (0, 1)
    assert "compliance_original,late_answered,1" in statistics_csv(s)
