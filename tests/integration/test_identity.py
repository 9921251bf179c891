"""Identity on record and the complainant's PIN (issue 16 items 4-5), on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from aduan import service
from aduan.adapters.memory.uow import InMemoryUnitOfWorkFactory
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.ports import FixedClock, Open311Query, UnitOfWorkFactory
from aduan.service import Deps, identity
from aduan.service import open311 as clients
from aduan.service.accounts import issue_client_key
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.states import Action as A
from aduan.workflow.states import Channel
from tests.integration.builders import submission

DAY = timedelta(days=1)


@pytest.fixture
def deps(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> Deps:
    """The service layer on memory, SQLite and PostgreSQL."""
    return Deps(uow=uow_factory, clock=clock)


def log_of(deps: Deps) -> list[tuple[str, str]]:
    """(username, reason) of every identity-access entry, oldest first."""
    now = deps.clock.now()
    with deps.uow(readonly=True) as uow:
        entries = uow.identity.accesses(now - DAY, now + DAY, 1000)
    return [(e.username, e.reason) for e in reversed(entries)]


def test_an_unmasked_view_is_on_record_and_a_masked_one_is_not(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))

    masked = service.get_case(deps, case.tracking_code, "budi")  # did not record it
    assert masked.complainant.masked and masked.complainant.name == "(dirahasiakan)"
    assert masked.complainant.email is None and masked.complainant.phone is None
    assert log_of(deps) == []

    for viewer in ("sari", "dewi"):
        seen = service.get_case(deps, case.tracking_code, viewer)
        assert not seen.complainant.masked and seen.complainant.name == "Siti Aminah"

    assert log_of(deps) == [("sari", "view"), ("dewi", "view")]


def test_the_recording_officer_sees_the_complainant_on_record(deps: Deps) -> None:
    case = service.submit_complaint(
        deps, submission(deps, channel=Channel.WHATSAPP), recorded_by="budi"
    )

    seen = service.get_case(deps, str(case.id), "budi")

    assert not seen.complainant.masked and seen.complainant.name == "Siti Aminah"
    assert log_of(deps) == [("budi", "view")]


def test_an_anonymous_complainant_has_nothing_to_record(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps, complainant={}))

    service.get_case(deps, case.tracking_code, "sari")

    assert log_of(deps) == []


def test_a_reveal_needs_a_reason_and_is_on_record(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))

    for reason in ("", "   "):
        with pytest.raises(InputError) as caught:
            identity.reveal_identity(deps, case.tracking_code, "budi", reason)
        assert caught.value.field == "reason"
    assert log_of(deps) == []

    shown = identity.reveal_identity(deps, case.tracking_code, "budi", "  Menelepon pelapor  ")

    assert not shown.masked and shown.phone is not None and shown.name == "Siti Aminah"
    assert log_of(deps) == [("budi", "Menelepon pelapor")]
    with pytest.raises(NotFoundError):  # the administrator sees no case content
        identity.reveal_identity(deps, case.tracking_code, "admin", "ingin tahu")
    assert log_of(deps) == [("budi", "Menelepon pelapor")]


def test_the_head_reads_the_identity_access_report(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))
    identity.reveal_identity(deps, case.tracking_code, "budi", "Klarifikasi berkas")
    now = deps.clock.now()

    report = identity.identity_report(deps, "dewi", now - DAY, now + DAY)

    assert [(e.username, e.tracking_code, e.reason) for e in report] == [
        ("budi", case.tracking_code, "Klarifikasi berkas")
    ]
    with pytest.raises(AccessDeniedError):
        identity.identity_report(deps, "sari", now - DAY, now + DAY)


def status_and_events(deps: Deps, code: str) -> tuple[str, int]:
    seen = service.get_case(deps, code, "budi")
    return seen.status, len(seen.timeline)


REASON = {"reason": "Sudah diselesaikan di loket"}


def test_withdrawing_by_code_needs_the_pin_of_the_receipt(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))
    assert case.pin is not None and len(case.pin) == 6
    assert service.get_case(deps, case.tracking_code, "sari").pin is None  # shown once
    before = status_and_events(deps, case.tracking_code)
    wrong = "000000" if case.pin != "000000" else "111111"

    for pin in (None, "", wrong):
        with pytest.raises(InputError) as caught:
            service.act_as_complainant(deps, case.tracking_code, A.WITHDRAW, REASON, pin)
        assert (caught.value.field, caught.value.rule) == ("pin", "matches_receipt")
    assert status_and_events(deps, case.tracking_code) == before

    done = service.act_as_complainant(deps, case.tracking_code, A.WITHDRAW, REASON, f" {case.pin} ")

    assert done.status == "withdrawn"


def forget_pin(deps: Deps, case_id: int) -> None:
    """Make the case look like one from before migration 0012."""
    factory = deps.uow
    if isinstance(factory, InMemoryUnitOfWorkFactory):
        factory.store.data.identity.pins.pop(case_id)
        return
    assert isinstance(factory, SqlUnitOfWorkFactory)
    with factory.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET pin_hash = NULL WHERE id = :id"), {"id": case_id})


def test_a_case_without_a_pin_asks_the_complainant_to_contact_the_office(deps: Deps) -> None:
    case = service.submit_complaint(deps, submission(deps))
    forget_pin(deps, case.id)

    with pytest.raises(InputError) as caught:
        service.act_as_complainant(deps, case.tracking_code, A.WITHDRAW, {}, case.pin)

    assert caught.value.rule == "case_has_pin"
    assert "hubungi kantor" in caught.value.message_id
    assert status_and_events(deps, case.tracking_code)[0] == "recorded"


def test_an_open311_client_sees_only_its_own_requests(deps: Deps) -> None:
    first = clients.client_id(deps, issue_client_key(deps, "Aplikasi A"))
    second = clients.client_id(deps, issue_client_key(deps, "Aplikasi B"))
    assert first is not None and second is not None and first != second
    mine = service.submit_complaint(deps, submission(deps, channel="api"), open311_client=first)
    theirs = service.submit_complaint(deps, submission(deps, channel="api"), open311_client=second)
    staff = service.submit_complaint(
        deps, submission(deps, channel=Channel.WHATSAPP), recorded_by="budi"
    )
    since = deps.clock.now() - DAY

    now = deps.clock.now()
    listed = clients.list_requests(deps, Open311Query(client=first, start=since, end=now))

    assert [c.request_id for c in listed] == [mine.tracking_code]  # its own: by code
    assert clients.client_request(deps, first, mine.tracking_code).view.status == "recorded"
    for other in (theirs, staff):
        with pytest.raises(NotFoundError):
            clients.client_request(deps, first, other.tracking_code)
