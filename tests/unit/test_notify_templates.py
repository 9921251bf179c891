"""Templates: every event in both languages names the code, the status in words and the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aduan.locale import translate
from aduan.notifications.planner import EVENTS, LANGUAGES
from aduan.notifications.templates import (
    NOTICE_LABELS,
    SMS_LIMIT,
    TEMPLATE_DIR,
    TemplateError,
    render,
    wib,
)
from aduan.service.dispatch import RetryPolicy
from aduan.workflow.states import STATUS_NAMES

DUE = datetime(2026, 3, 27, 16, 59, 59, tzinfo=UTC)  # 23:59 WIB
LONGEST = max(STATUS_NAMES, key=lambda s: len(translate(STATUS_NAMES[s], "en")))

CONTEXT = {
    "tracking_code": "ADN-7K2QX-M9DPA",
    "subject": "Sertifikat standar belum terbit setelah tujuh hari kerja",
    "kind": "complaint",
    "status": LONGEST.value,
    "status_id": STATUS_NAMES[LONGEST],
    "status_en": translate(STATUS_NAMES[LONGEST], "en"),
    "response_due_at": DUE.isoformat(),
    "stage_due_at": DUE.isoformat(),
    # what some events add
    "screening_reason": "late",
    "intake_days": 31,
    "answer": "Sertifikat standar Anda telah terbit dan dapat diunduh melalui OSS. " * 4,
    "final": True,
    "outcome": "partly_substantiated",
    "reopen_until": DUE.isoformat(),
    "reopen_days": 14,
    "report_kind": "tier",
    "report_author": "budi",
    "report_author_name": "Budi Santoso",
    "report": "Belum dapat diselesaikan di tingkat pelaksana.",
    "deadline": "response",
    "point": "before_1",
    "due_at": DUE.isoformat(),
    "by_officer": True,
    "reason": "Duplikat ADN-7K2QX-AAAAA",
    "requested_by": "Budi Santoso, Pelaksana",
    "undo_until": DUE.isoformat(),
    "addressee": "Dinas Perhubungan",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_message_names_the_code_the_status_and_the_deadline(
    event: str, language: str
) -> None:
    message = render(event, language, CONTEXT)

    assert CONTEXT["tracking_code"] in message.subject
    for shape in (message.short, message.text):
        assert CONTEXT["tracking_code"] in shape
    label = translate(STATUS_NAMES[LONGEST], language)
    assert label in message.text
    if event not in ("suggestion_recorded", "late_acceptance_requested", "referred"):
        assert "27-03-2026 23:59 WIB" in message.text
    assert len(message.short) <= SMS_LIMIT


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", EVENTS)
def test_short_messages_fit_an_sms_without_cutting(event: str, language: str) -> None:
    context = CONTEXT | {"answer": "Izin terbit."}

    message = render(event, language, context)

    assert len(message.short) <= SMS_LIMIT
    assert not message.short.endswith("…")


def test_the_languages_differ() -> None:
    indonesian, english = (render("closed", lang, CONTEXT) for lang in LANGUAGES)

    assert indonesian.subject == "Pengaduan ADN-7K2QX-M9DPA selesai"
    assert english.subject == "Complaint ADN-7K2QX-M9DPA closed"
    assert "keberatan" in indonesian.text
    assert "dispute" in english.text


def test_the_html_part_escapes_what_people_typed() -> None:
    message = render("acknowledged", "id", CONTEXT | {"subject": "<script>x</script> & co"})

    assert "<script>" not in message.html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in message.html
    assert "<script>" in message.text  # the plain part is plain


def test_a_missing_field_or_template_is_an_error_not_a_blank() -> None:
    incomplete = {k: v for k, v in CONTEXT.items() if k != "tracking_code"}
    with pytest.raises(Exception, match="tracking_code"):
        render("acknowledged", "id", incomplete)
    with pytest.raises(TemplateError, match="no template"):
        render("no_such_event", "id", CONTEXT)
    with pytest.raises(TemplateError, match="language"):
        render("acknowledged", "fr", CONTEXT)


def test_times_are_shown_in_jakarta_time() -> None:
    assert wib("2026-03-27T16:59:59+00:00") == "27-03-2026 23:59 WIB"
    assert wib(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == "01-01-2027 00:00 WIB"
    assert wib(None) == "-"


def test_backoff_doubles_up_to_the_cap_then_gives_up() -> None:
    policy = RetryPolicy(max_attempts=10, base=timedelta(seconds=30), cap=timedelta(minutes=5))
    now = datetime(2026, 3, 2, tzinfo=UTC)

    waits = [policy.retry_at(n, now) for n in range(1, 11)]

    assert [(w - now).total_seconds() for w in waits[:6] if w] == [30, 60, 120, 240, 300, 300]
    assert waits[-1] is None  # the tenth failure was the last attempt


def test_every_kind_of_message_has_a_name_for_the_staff_pages() -> None:
    kinds = {path.stem for path in TEMPLATE_DIR.glob("*.j2")}
    assert kinds <= set(NOTICE_LABELS), f"no label for {sorted(kinds - set(NOTICE_LABELS))}"
    for label in NOTICE_LABELS.values():
        assert translate(label, "en") != label  # and an English one
