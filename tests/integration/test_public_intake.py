"""Issue 12 items 3-4 on the service layer: one case per submission key, the receipt's words,
withdrawal that records who and why and can be undone, and a referral the complainant hears of.

On SQLite and PostgreSQL (the ``deps`` fixture); the expected texts and values are written out.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from aduan import service
from aduan.ports import FixedClock
from aduan.schemas.commands import SubmitCommand
from aduan.service import Deps, receipts
from aduan.service.cases import track_case
from aduan.workflow.errors import InputError, RuleViolationError
from aduan.workflow.states import Action
from tests.conftest import NOW
from tests.integration.builders import (
    COMPLAINANT,
    act,
    engine_of,
    resolved_case,
    submission,
    submit,
    today,
)

KEY = "k3y-0f-th3-f0rm-3xampl3-0000000000"


def cases_in(deps: Deps) -> int:
    with engine_of(deps).connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())


def messages(deps: Deps, recipient: str) -> list[tuple[str, dict[str, object]]]:
    with deps.uow(readonly=True) as uow:
        return [(m.event, m.payload["context"]) for m in uow.outbox.for_recipient(recipient)]


def pending_alarms(deps: Deps, case_id: int) -> list[tuple[str, str, datetime]]:
    with deps.uow(readonly=True) as uow:
        return sorted((a.kind, a.point, a.fire_at) for a in uow.alarms.pending(case_id))


# --- one case per key ------------------------------------------------------------------------


def test_a_second_submission_with_the_key_files_nothing_and_gets_the_first_receipt(
    deps: Deps,
) -> None:
    first, replayed_first = receipts.submit_once(deps, submission(deps), KEY)
    again, replayed_again = receipts.submit_once(deps, submission(deps), KEY)

    assert (replayed_first, replayed_again) == (False, True)
    assert again.tracking_code == first.tracking_code
    assert again.pin == first.pin and again.pin is not None and len(again.pin) == 6
    assert cases_in(deps) == 1
    # The PIN given back is the one the case checks (kept only hashed, sealed with the key).
    done = service.act_as_complainant(
        deps, first.tracking_code, Action.WITHDRAW, {"reason": "Terkirim dua kali"}, again.pin
    )
    assert done.status == "withdrawn"


def test_the_table_keeps_no_pin_and_no_key(deps: Deps) -> None:
    first, _ = receipts.submit_once(deps, submission(deps), KEY)

    with engine_of(deps).connect() as conn:
        row = conn.execute(text("SELECT * FROM intake_keys")).mappings().one()

    assert KEY not in str(dict(row)) and str(first.pin) not in str(dict(row))
    assert len(row["key_hash"]) == 64


def test_the_same_key_with_other_content_is_refused_and_files_nothing(deps: Deps) -> None:
    receipts.submit_once(deps, submission(deps), KEY)

    with pytest.raises(InputError) as refused:
        receipts.submit_once(deps, submission(deps, subject="Pengaduan lain sama sekali"), KEY)

    assert (refused.value.field, refused.value.rule) == ("submission_key", "same_submission")
    assert cases_in(deps) == 1


def test_the_database_refuses_a_second_case_for_a_key_taken_meanwhile(deps: Deps) -> None:
    # Two workers past the first look at once: the second's insert meets the unique key.
    command = submission(deps)
    claim = receipts.Claim(KEY, receipts.fingerprint(command))
    first = service.submit_complaint(deps, command, intake_claim=claim)

    with pytest.raises(receipts.KeyTaken):
        service.submit_complaint(deps, command, intake_claim=claim)

    assert cases_in(deps) == 1
    with deps.uow(readonly=True) as uow:
        assert uow.cases.get(first.tracking_code).id is not None


def test_simultaneous_submissions_with_one_key_file_one_case(deps: Deps) -> None:
    command = submission(deps)
    start = threading.Barrier(6)
    codes: list[str] = []
    errors: list[BaseException] = []

    def send() -> None:
        start.wait()
        try:
            codes.append(receipts.submit_once(deps, command, KEY)[0].tracking_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=send) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)

    assert errors == []
    assert len(codes) == 6 and len(set(codes)) == 1
    assert cases_in(deps) == 1


# --- what the receipt says ---------------------------------------------------------------------


def test_the_receipt_of_a_complaint_says_what_happens_next_and_the_deadline() -> None:
    due = datetime(2026, 3, 20, 16, 59, 59, tzinfo=UTC)  # 23:59 WIB

    words = receipts.receipt_text("complaint", None, due, "id")

    assert words.heading == "Pengaduan Anda telah diterima."
    assert words.lines == [
        "Dicatat sebagai pengaduan.",
        "Selanjutnya petugas mengklasifikasi dan menelaah pengaduan Anda, lalu "
        "menindaklanjutinya di DPMPTSP, bersama Tim Teknis/Perangkat Daerah terkait, atau "
        "bersama APIP.",
        "Jawaban kami sampaikan paling lambat 20/03/2026 23:59 WIB (14 hari kerja).",
    ]


def test_the_receipt_of_a_late_submission_says_suggestion_why_and_that_it_may_be_accepted() -> None:
    words = receipts.receipt_text("suggestion", "late", None, "id")

    assert words.heading == "Masukan Anda telah diterima."
    assert words.lines == [
        "Dicatat sebagai saran/masukan, bukan pengaduan, karena diajukan lebih dari 30 hari "
        "setelah layanan diterima.",
        "Saran dipertimbangkan dalam evaluasi standar pelayanan; saran tidak dijawab dalam "
        "batas waktu 14 hari kerja seperti pengaduan.",
        "Atasan pengelola pengaduan masih dapat menerimanya sebagai pengaduan. Bila demikian, "
        "Anda diberi tahu dan batas waktu jawaban 14 hari kerja dihitung sejak diterima.",
    ]


def test_the_receipt_without_identity_says_how_to_make_it_a_complaint() -> None:
    words = receipts.receipt_text("suggestion", "no_identity", None, "id")

    assert words.lines[0] == (
        "Dicatat sebagai saran/masukan, bukan pengaduan, karena identitas pelapor tidak lengkap."
    )
    assert words.lines[-1] == (
        "Bila Anda ingin masukan ini ditindaklanjuti sebagai pengaduan, sampaikan kembali "
        "dengan nama dan kontak Anda (alamat, telepon, atau email)."
    )


def test_a_late_submissions_receipt_comes_from_the_case(deps: Deps) -> None:
    late = SubmitCommand.model_validate(
        submission(deps).model_dump() | {"service_received_on": today(deps) - timedelta(days=45)}
    )

    detail, _ = receipts.submit_once(deps, late, KEY)

    assert (detail.kind, detail.screening_reason, detail.response_due_at) == (
        "suggestion",
        "late",
        None,
    )


# --- withdrawal: who, why, and undo --------------------------------------------------------


def test_an_officers_withdrawal_is_labelled_told_and_undone_by_the_complainant(
    deps: Deps, clock: FixedClock
) -> None:
    case = submit(deps)
    classified = act(deps, case, Action.CLASSIFY, "budi")
    alarms_before = pending_alarms(deps, classified.id)
    assert alarms_before, "a classified complaint has reminders and breaches pending"

    clock.current = NOW + timedelta(hours=1)
    act(deps, case, Action.WITHDRAW, "budi", reason="Duplikat ADN-AAAAA-BBBBB")

    withdrawn = track_case(deps, case.tracking_code)
    assert (withdrawn.status, withdrawn.withdrawn_by) == ("withdrawn", "officer")
    assert withdrawn.undo_until == NOW + timedelta(hours=1 + 72)
    assert withdrawn.history[-1] == (NOW + timedelta(hours=1), "Dicabut oleh petugas")
    assert pending_alarms(deps, classified.id) == []
    seen = service.get_case(deps, case.tracking_code, "sari")
    assert (seen.timeline[-1].actor, seen.timeline[-1].data) == (
        "budi",
        {"reason": "Duplikat ADN-AAAAA-BBBBB"},
    )
    told = [ctx for event, ctx in messages(deps, COMPLAINANT["email"]) if event == "withdrawn"]
    assert len(told) == 1
    assert told[0]["by_officer"] is True and told[0]["reason"] == "Duplikat ADN-AAAAA-BBBBB"

    clock.current = NOW + timedelta(hours=30)
    back = service.act_as_complainant(deps, case.tracking_code, Action.UNDO_WITHDRAW, {}, case.pin)

    assert (back.status, back.withdrawn_by, back.undo_until, back.closed_at) == (
        "classified",
        None,
        None,
        None,
    )
    again = service.get_case(deps, case.tracking_code, "budi")
    assert again.response_due_at == classified.response_due_at
    assert [(d.kind, d.due_at) for d in again.deadlines] == [
        (d.kind, d.due_at) for d in classified.deadlines
    ]
    # The reminders whose moment passed while withdrawn do not come back; the rest do.
    still_due = [a for a in alarms_before if a[2] > clock.current]
    assert pending_alarms(deps, classified.id) == still_due
    assert back.history[-1] == (NOW + timedelta(hours=30), "Diklasifikasi")


def test_the_complainant_withdraws_with_a_reason_only(deps: Deps) -> None:
    case = submit(deps)

    with pytest.raises(InputError) as refused:
        service.act_as_complainant(deps, case.tracking_code, Action.WITHDRAW, {}, case.pin)

    assert refused.value.field == "reason"
    assert track_case(deps, case.tracking_code).status == "recorded"
    done = service.act_as_complainant(
        deps, case.tracking_code, Action.WITHDRAW, {"reason": "Sudah selesai"}, case.pin
    )
    assert (done.withdrawn_by, done.history[-1][1]) == ("complainant", "Dicabut oleh pelapor")


def test_a_withdrawal_cannot_be_undone_after_the_window(deps: Deps, clock: FixedClock) -> None:
    case = submit(deps)
    service.act_as_complainant(
        deps, case.tracking_code, Action.WITHDRAW, {"reason": "Sudah selesai"}, case.pin
    )
    clock.current = NOW + timedelta(hours=72, minutes=1)

    with pytest.raises(RuleViolationError) as refused:
        act(deps, case, Action.UNDO_WITHDRAW, "budi")

    assert refused.value.rule == "undo_window"
    assert track_case(deps, case.tracking_code).status == "withdrawn"


def test_confirming_a_withdrawal_checks_everything_and_writes_nothing(deps: Deps) -> None:
    case = submit(deps)
    from aduan.service.cases import confirm_complainant

    wrong = "000000" if case.pin != "000000" else "111111"
    with pytest.raises(InputError) as bad_pin:
        confirm_complainant(deps, case.tracking_code, Action.WITHDRAW, {"reason": "x"}, wrong)
    with pytest.raises(InputError) as no_reason:
        confirm_complainant(deps, case.tracking_code, Action.WITHDRAW, {}, case.pin)
    view = confirm_complainant(
        deps, case.tracking_code, Action.WITHDRAW, {"reason": "Sudah selesai"}, case.pin
    )

    assert (bad_pin.value.field, no_reason.value.field) == ("pin", "reason")
    assert view.status == "recorded"
    assert track_case(deps, case.tracking_code).status == "recorded"
    assert len(service.get_case(deps, case.tracking_code, "budi").timeline) == 1


# --- referral and the public view -------------------------------------------------------------


def test_a_referral_tells_the_complainant_where_it_went_and_is_reported_to_the_superior(
    deps: Deps,
) -> None:
    case = submit(deps)

    act(
        deps,
        case,
        Action.REFER,
        "budi",
        addressee="Kantor Pertanahan Kabupaten Purwakarta",
        reason="Sengketa batas tanah bukan kewenangan DPMPTSP",
    )

    told = [ctx for event, ctx in messages(deps, COMPLAINANT["email"]) if event == "referred"]
    assert len(told) == 1
    assert told[0]["addressee"] == "Kantor Pertanahan Kabupaten Purwakarta"
    assert told[0]["reason"] == "Sengketa batas tanah bukan kewenangan DPMPTSP"
    seen = service.get_case(deps, case.tracking_code, "sari")
    assert [(r.kind, r.author, r.addressee, r.text) for r in seen.reports] == [
        ("superior", "budi", "sari", "Sengketa batas tanah bukan kewenangan DPMPTSP"),
    ]
    assert [event for event, _ in messages(deps, "sari")] == ["report_addressed"]
    tracked = track_case(deps, case.tracking_code)
    assert (tracked.status, tracked.referred_to) == (
        "referred",
        "Kantor Pertanahan Kabupaten Purwakarta",
    )


def test_tracking_shows_the_answer_sent_not_the_internal_summary_and_the_dispute_window(
    deps: Deps, clock: FixedClock
) -> None:
    case = resolved_case(deps)  # summary "Sertifikat diterbitkan hari ini"
    assert track_case(deps, case.tracking_code).answer is None
    act(deps, case, Action.INFORM_COMPLAINANT, "budi", text="Sertifikat Anda sudah dapat diunduh")
    act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    clock.current = NOW + timedelta(days=1)
    act(deps, case, Action.CLOSE, "agus")

    tracked = track_case(deps, case.tracking_code)

    assert (tracked.answer, tracked.answer_kind) == (
        "Sertifikat Anda sudah dapat diunduh",
        "result",
    )
    assert "Sertifikat diterbitkan hari ini" not in tracked.model_dump_json()
    assert tracked.reopen_until == NOW + timedelta(days=1 + 14)
    assert tracked.response_due_at == case.response_due_at
