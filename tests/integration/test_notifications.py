"""Who hears what (issue 4, item 3) and the outbox contract, on every store.

Notices are outbox rows written in the transaction of the change that causes them; these tests
read the rows back and check recipient, channel, event and what the template will show.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aduan import service
from aduan.ports import OutboxEntry, OutboxMessage, UnitOfWorkFactory
from aduan.schemas.commands import ActionCommand
from aduan.service import Deps, inbox
from aduan.workflow.errors import ConflictError, NotFoundError, RuleViolationError
from aduan.workflow.states import Action
from tests.conftest import NOW
from tests.integration.builders import (
    COMPLAINANT,
    act,
    internal_case,
    resolved_case,
    submit,
    today,
)

PHONE = "+6281234567890"  # COMPLAINANT's phone as intake normalises it


def sent_to(deps: Deps, recipient: str) -> list[tuple[str, str]]:
    """(event, channel) of every message queued for ``recipient``, oldest first."""
    with deps.uow(readonly=True) as uow:
        return [(m.event, m.channel) for m in uow.outbox.for_recipient(recipient)]


def last_to(deps: Deps, recipient: str) -> OutboxMessage:
    with deps.uow(readonly=True) as uow:
        return uow.outbox.for_recipient(recipient)[-1]


def all_keys(deps: Deps) -> list[str]:
    with deps.uow(readonly=True) as uow:
        return [
            m.idempotency_key
            for who in ("budi", "sari", "agus", "dewi", COMPLAINANT["email"], PHONE)
            for m in uow.outbox.for_recipient(who)
        ]


# --- the complainant -----------------------------------------------------------------------


def test_an_emailed_complaint_is_acknowledged_by_email_with_code_status_and_deadline(
    deps: Deps,
) -> None:
    case = submit(deps, channel="email")

    message = last_to(deps, COMPLAINANT["email"])
    assert (message.event, message.channel) == ("acknowledged", "email")
    context = message.payload["context"]
    assert message.payload["lang"] == "id"
    assert context["tracking_code"] == case.tracking_code
    assert context["status_id"] == "Dicatat"
    assert context["response_due_at"] == case.deadlines[0].due_at.isoformat()
    # The key names the complainant by role, never by address.
    assert message.idempotency_key == f"case:{case.id}:v1:acknowledged:complainant:email"


@pytest.mark.parametrize("channel", ["whatsapp", "sms"])
def test_a_complaint_by_phone_message_is_answered_on_that_channel(deps: Deps, channel: str) -> None:
    submit(deps, channel=channel)

    assert sent_to(deps, PHONE) == [("acknowledged", channel)]
    assert sent_to(deps, COMPLAINANT["email"]) == []


def test_a_complaint_at_the_counter_gets_a_printable_letter(deps: Deps) -> None:
    person = {"name": "Ani", "phone": "0812-1111-2222", "address": "Jl. Mawar 1, Purwakarta"}
    submit(deps, channel="mpp_counter", complainant=person)

    assert sent_to(deps, "Ani, Jl. Mawar 1, Purwakarta") == [("acknowledged", "letter")]


def test_a_late_complaint_is_told_why_and_supervisors_are_asked_to_accept_it(deps: Deps) -> None:
    case = submit(deps, channel="email", service_received_on=today(deps) - timedelta(days=31))

    message = last_to(deps, COMPLAINANT["email"])
    assert message.event == "suggestion_recorded"
    assert message.payload["context"]["screening_reason"] == "late"
    assert sent_to(deps, "sari") == [("late_acceptance_requested", "in_app")]
    assert last_to(deps, "sari").payload["context"]["intake_days"] == 31

    act(deps, case, Action.ACCEPT_LATE, "sari")
    assert sent_to(deps, COMPLAINANT["email"])[-1] == ("acknowledged", "email")


def test_an_anonymous_submission_queues_nothing_for_a_complainant(deps: Deps) -> None:
    # A box letter records the day it was dropped in (issue 12 item 6).
    dropped = today(deps).isoformat()
    submit(deps, channel="box", complainant={"name": None}, channel_facts={"dropped_on": dropped})

    with deps.uow(readonly=True) as uow:
        assert uow.outbox.counts() == {"pending": 0, "sent": 0, "dead": 0}


def test_the_answer_goes_on_the_reply_channel_the_officer_chose(deps: Deps) -> None:
    case = submit(deps, channel="email")
    text = "Berkas Anda sedang diverifikasi ulang"

    act(deps, case, Action.RESPOND, "budi", channel="whatsapp", text=text)

    message = last_to(deps, PHONE)
    assert (message.event, message.channel) == ("answered", "whatsapp")
    assert message.payload["context"]["answer"] == text
    assert message.payload["context"]["final"] is False


def test_an_answer_given_in_person_sends_nothing(deps: Deps) -> None:
    case = submit(deps, channel="email")

    act(deps, case, Action.RESPOND, "budi", channel="in_person", text="Dijelaskan di loket")

    assert sent_to(deps, COMPLAINANT["email"]) == [("acknowledged", "email")]


def test_the_result_and_the_closure_reach_the_complainant_with_the_reopen_window(
    deps: Deps,
) -> None:
    case = submit(deps, channel="email")
    for action, user in [
        (Action.CLASSIFY, "budi"),
        (Action.REVIEW, "budi"),
        (Action.ROUTE_INTERNAL, "budi"),
        (Action.RECORD_RESULT, "budi"),
    ]:
        act(deps, case, action, user)
    act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    act(deps, case, Action.CLOSE, "sari")

    to_complainant = sent_to(deps, COMPLAINANT["email"])
    assert to_complainant[-2:] == [("answered", "email"), ("closed", "email")]
    with deps.uow(readonly=True) as uow:
        answered, closed = uow.outbox.for_recipient(COMPLAINANT["email"])[-2:]
    assert answered.payload["context"]["final"] is True
    assert answered.payload["context"]["outcome"] == "substantiated"
    window = deps.policy.reopen_window_days
    assert closed.payload["context"]["reopen_until"] == (NOW + timedelta(days=window)).isoformat()
    assert closed.payload["context"]["status_id"] == "Selesai"


# --- staff ---------------------------------------------------------------------------------


def test_an_escalation_reaches_the_addressee_of_the_report_and_assigns_them(deps: Deps) -> None:
    case = internal_case(deps)

    act(deps, case, Action.ESCALATE, "budi", report="Perlu keputusan Kepala Seksi")

    assert sent_to(deps, "sari") == [("report_addressed", "in_app"), ("assigned", "in_app")]
    report = last_to(deps, "sari").payload["context"]
    assert report["tracking_code"] == case.tracking_code
    assert report["status_id"] == "Ditindaklanjuti internal DPMPTSP"
    message = sent_to(deps, "sari")
    assert message[0] == ("report_addressed", "in_app")
    with deps.uow(readonly=True) as uow:
        first = uow.outbox.for_recipient("sari")[0]
    assert first.payload["context"]["report"] == "Perlu keputusan Kepala Seksi"
    assert first.payload["context"]["report_author"] == "budi"


def test_the_report_to_the_superior_reaches_the_superior(deps: Deps) -> None:
    case = resolved_case(deps)

    act(deps, case, Action.REPORT_TO_SUPERIOR, "budi", text="Selesai, sertifikat terbit")

    # Sari (Kepala Seksi) recorded the result: the report goes to her superior (item 8).
    assert ("report_addressed", "in_app") in sent_to(deps, "agus")
    assert last_to(deps, "agus").payload["context"]["report_kind"] == "superior"


def test_an_apip_request_asks_the_head_of_office(deps: Deps) -> None:
    case = internal_case(deps)

    act(deps, case, Action.REQUEST_APIP, "budi")

    assert sent_to(deps, "dewi") == [("apip_approval_requested", "in_app")]


def test_the_officer_who_acts_is_not_told_about_their_own_assignment(deps: Deps) -> None:
    case = submit(deps)
    for action in (Action.CLASSIFY, Action.REVIEW, Action.ROUTE_INTERNAL):
        act(deps, case, action, "budi")

    assert sent_to(deps, "budi") == []


def test_a_refused_action_queues_nothing(deps: Deps) -> None:
    case = submit(deps, channel="email")
    before = all_keys(deps)

    with pytest.raises(ConflictError):
        service.perform_action(
            deps,
            ActionCommand(
                case_ref=case.tracking_code,
                action=Action.RESPOND,
                payload={"channel": "email", "text": "x"},
                expected_version=case.version + 5,
            ),
            "budi",
        )

    assert all_keys(deps) == before


def test_notices_can_be_switched_off(deps: Deps) -> None:
    from dataclasses import replace

    from aduan.notifications.planner import NotifyPolicy

    quiet = replace(deps, notify=NotifyPolicy(enabled=False))
    submit(quiet, channel="email")

    assert sent_to(deps, COMPLAINANT["email"]) == []


# --- the outbox contract (memory, SQLite, PostgreSQL) --------------------------------------


def queue(factory: UnitOfWorkFactory, n: int, channel: str = "sms", **over: Any) -> None:
    with factory() as uow:
        for i in range(n):
            fields: dict[str, Any] = {
                "idempotency_key": f"test:{i}:ping:complainant:{channel}",
                "event": "acknowledged",
                "recipient": over.get("recipient", f"0812{i:07d}"),
                "channel": channel,
                "payload": {"lang": "id", "context": {"tracking_code": f"T{i}"}},
                "created_at": over.get("at", NOW),
            }
            assert uow.outbox.add(OutboxMessage(**fields))
        uow.commit()


def claim(factory: UnitOfWorkFactory, worker: str, limit: int = 10, **at: Any) -> list[OutboxEntry]:
    now = at.get("now", NOW)
    with factory() as uow:
        got = uow.outbox.claim(now, limit, worker, now + timedelta(minutes=10))
        uow.commit()
    return got


def test_a_key_is_queued_once(uow_factory: UnitOfWorkFactory) -> None:
    queue(uow_factory, 1)
    with uow_factory() as uow:
        again = OutboxMessage("test:0:ping:complainant:sms", "x", "y", "sms", {}, NOW)
        assert uow.outbox.add(again) is False
        assert uow.outbox.counts() == {"pending": 1, "sent": 0, "dead": 0}


def test_queued_together_each_key_is_queued_once(uow_factory: UnitOfWorkFactory) -> None:
    """``add_all`` (the save path's one statement) skips keys queued before or twice in it."""
    queue(uow_factory, 1)
    new = [
        OutboxMessage(f"test:{key}:ping:complainant:sms", "x", f"0812{i}", "sms", {}, NOW)
        for i, key in enumerate(["0", "7", "8", "7"])
    ]
    with uow_factory() as uow:
        uow.outbox.add_all(new)
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.counts() == {"pending": 3, "sent": 0, "dead": 0}
        assert [m.recipient for m in uow.outbox.for_recipient("08121")] == ["08121"]  # "7" first


def test_claims_lease_rows_to_one_worker_until_the_lease_runs_out(
    uow_factory: UnitOfWorkFactory,
) -> None:
    queue(uow_factory, 5)

    first = claim(uow_factory, "w1", limit=3)
    second = claim(uow_factory, "w2", limit=10)
    assert [e.message.recipient for e in first] == ["08120000000", "08120000001", "08120000002"]
    assert len(second) == 2
    assert {e.id for e in first}.isdisjoint({e.id for e in second})
    assert claim(uow_factory, "w3") == []
    # w1 died: after its lease another worker takes its rows, and w1 can no longer record them.
    later = claim(uow_factory, "w3", now=NOW + timedelta(minutes=11))
    assert {e.id for e in later} == {e.id for e in first} | {e.id for e in second}
    with uow_factory() as uow:
        assert uow.outbox.mark_sent(first[0].id, "w1", NOW) is False
        assert uow.outbox.mark_sent(first[0].id, "w3", NOW) is True
        uow.commit()


def test_failures_retry_later_then_dead_letter_and_an_admin_retry_queues_again(
    uow_factory: UnitOfWorkFactory, clock: Any
) -> None:
    queue(uow_factory, 1)
    (entry,) = claim(uow_factory, "w1")
    retry_at = NOW + timedelta(seconds=30)
    with uow_factory() as uow:
        assert uow.outbox.mark_failed(entry.id, "w1", "SMTP 451", retry_at)
        uow.commit()
    assert claim(uow_factory, "w1") == []  # not before its time
    (again,) = claim(uow_factory, "w1", now=retry_at)
    assert (again.attempts, again.last_error) == (1, "SMTP 451")
    with uow_factory() as uow:
        assert uow.outbox.mark_failed(entry.id, "w1", "SMTP 451", None)
        uow.commit()

    (dead,) = inbox.dead_letters(uow_factory)
    assert (dead.id, dead.status, dead.attempts) == (entry.id, "dead", 2)
    assert claim(uow_factory, "w1", now=NOW + timedelta(days=1)) == []
    retried = inbox.retry(uow_factory, clock, entry.id)
    assert (retried.status, retried.attempts) == ("pending", 0)
    assert inbox.dead_letters(uow_factory) == []


def test_retrying_a_message_that_is_not_dead_is_refused(
    uow_factory: UnitOfWorkFactory, clock: Any
) -> None:
    queue(uow_factory, 1)
    (entry,) = claim(uow_factory, "w1")

    with pytest.raises(RuleViolationError, match="retry_dead_only"):
        inbox.retry(uow_factory, clock, entry.id)
    with pytest.raises(NotFoundError):
        inbox.retry(uow_factory, clock, 999_999)


def test_the_staff_inbox_counts_unread_and_marks_read(
    uow_factory: UnitOfWorkFactory, clock: Any
) -> None:
    queue(uow_factory, 3, channel="in_app", recipient="sari")
    queue_other = OutboxMessage("other:1", "assigned", "budi", "in_app", {}, NOW)
    with uow_factory() as uow:
        uow.outbox.add(queue_other)
        uow.commit()

    messages, unread = inbox.inbox(uow_factory, "sari")
    assert unread == 3
    assert [m.message.idempotency_key for m in messages] == [
        "test:2:ping:complainant:in_app",
        "test:1:ping:complainant:in_app",
        "test:0:ping:complainant:in_app",
    ]
    assert inbox.mark_read(uow_factory, clock, "sari", [messages[0].id]) == 1
    assert inbox.inbox(uow_factory, "sari")[1] == 2
    assert len(inbox.inbox(uow_factory, "sari", unread_only=True)[0]) == 2
    assert inbox.mark_read(uow_factory, clock, "sari") == 2
    assert inbox.inbox(uow_factory, "sari")[1] == 0
    assert inbox.inbox(uow_factory, "budi")[1] == 1  # nobody else's messages were touched


def test_purging_erases_address_and_content_of_old_deliveries_only(
    uow_factory: UnitOfWorkFactory, clock: Any
) -> None:
    queue(uow_factory, 2)
    entries = claim(uow_factory, "w1")
    with uow_factory() as uow:
        uow.outbox.mark_sent(entries[0].id, "w1", NOW)
        uow.outbox.mark_sent(entries[1].id, "w1", NOW + timedelta(days=20))
        uow.commit()
    clock.current = NOW + timedelta(days=91)

    assert inbox.purge(uow_factory, clock, retention_days=90) == 1

    with uow_factory(readonly=True) as uow:
        old, recent = uow.outbox.get(entries[0].id), uow.outbox.get(entries[1].id)
    assert old is not None and recent is not None
    assert (old.message.recipient, old.message.payload) == ("(dihapus)", {})
    assert recent.message.recipient == "08120000001"
    assert inbox.purge(uow_factory, clock, retention_days=90) == 0


def test_an_online_form_is_acknowledged_by_the_email_it_gave(deps: Deps) -> None:
    submit(deps, channel="web_dpmptsp")

    assert sent_to(deps, COMPLAINANT["email"]) == [("acknowledged", "email")]
