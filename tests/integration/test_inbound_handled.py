"""An officer marks an unmatched email handled (issue 14 item 5), on SQLite and PostgreSQL.

The office's complaint staff follow the strays up by hand; whoever did marks the message with
a note of what was done. It leaves the list of those to handle and shows among the handled
with who, when and the note; a colleague marking it after them changes nothing and is told
who did it. The note is required and short; only the staff who may see the page may mark.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from aduan.ports import FixedClock, InboundEmail
from aduan.service import Deps, inbound
from aduan.service.concerns import name_concerned
from aduan.workflow.errors import AccessDeniedError, InputError, NotFoundError
from aduan.workflow.states import Action
from tests.integration.builders import act, submit


def file_strays(deps: Deps, *subjects: str) -> dict[str, int]:
    """File one unmatched email per subject (from a stranger); their ids by subject."""
    for n, subject in enumerate(subjects, start=1):
        mail = InboundEmail(
            uid=str(n),
            message_id=f"m{n}@contoh.id",
            sender="orang.lain@contoh.id",
            subject=subject,
            text=f"Isi {subject}",
        )
        assert inbound.file_message(deps, mail) == "unmatched"
    listing = inbound.unmatched(deps, "budi")
    return {m.subject: m.id for m in listing.messages}


def test_a_handled_email_leaves_the_list_and_shows_who_when_and_what(
    deps: Deps, clock: FixedClock
) -> None:
    ids = file_strays(deps, "Izin usaha saya?", "Out of office")
    clock.current += timedelta(hours=2)

    done = inbound.mark_handled(deps, "budi", ids["Out of office"], "  balasan otomatis  ")

    assert done.marked
    waiting = inbound.unmatched(deps, "sari")
    assert [m.subject for m in waiting.messages] == ["Izin usaha saya?"]
    assert waiting.total == 1 and inbound.to_handle(deps, "sari") == 1
    handled = inbound.unmatched(deps, "sari", handled=True)
    (mail,) = handled.messages
    assert handled.total == 1
    assert mail.subject == "Out of office"
    assert (mail.handled_by, mail.handled_note) == ("Budi Santoso", "balasan otomatis")
    assert mail.handled_at == clock.current


def test_a_second_officer_is_told_who_handled_it_and_the_first_note_stays(
    deps: Deps, clock: FixedClock
) -> None:
    ids = file_strays(deps, "Pertanyaan NIB")
    inbound.mark_handled(deps, "budi", ids["Pertanyaan NIB"], "dicatat sebagai pengaduan baru")
    first_at = clock.current
    clock.current += timedelta(minutes=5)

    again = inbound.mark_handled(deps, "sari", ids["Pertanyaan NIB"], "dibalas lewat telepon")

    assert not again.marked
    assert again.mail.handled_by == "Budi Santoso"
    assert again.mail.handled_at == first_at
    assert again.mail.handled_note == "dicatat sebagai pengaduan baru"
    (kept,) = inbound.unmatched(deps, "budi", handled=True).messages
    assert (kept.handled_note, kept.handled_at) == ("dicatat sebagai pengaduan baru", first_at)


@pytest.mark.parametrize("note", ["", "   \n ", "x" * (inbound.NOTE_MAX + 1)])
def test_an_empty_or_too_long_note_is_refused_naming_the_field(deps: Deps, note: str) -> None:
    ids = file_strays(deps, "Pertanyaan NIB")

    with pytest.raises(InputError) as refused:
        inbound.mark_handled(deps, "budi", ids["Pertanyaan NIB"], note)

    assert refused.value.field == "handled_note"
    assert refused.value.rule == ("max_length" if note.strip() else "required")
    assert inbound.to_handle(deps, "budi") == 1  # nothing written
    assert inbound.unmatched(deps, "budi", handled=True).messages == []


@pytest.mark.parametrize("outsider", ["tono", "irfan", "admin"])
def test_those_who_may_not_see_the_page_cannot_mark(deps: Deps, outsider: str) -> None:
    ids = file_strays(deps, "Pertanyaan NIB")

    with pytest.raises(AccessDeniedError):
        inbound.mark_handled(deps, outsider, ids["Pertanyaan NIB"], "sudah")

    assert inbound.to_handle(deps, outsider) == 0  # and their navigation counts nothing
    assert inbound.to_handle(deps, "budi") == 1


def test_an_email_on_a_case_naming_the_officer_is_neither_listed_counted_nor_marked(
    deps: Deps,
) -> None:
    case = submit(deps)
    act(deps, case, Action.CLASSIFY, "budi")
    name_concerned(deps, case.tracking_code, "sari", ["budi"], "Pelapor mengadukan petugas")
    about = InboundEmail(
        uid="9",
        message_id="m9@contoh.id",
        sender="orang.lain@contoh.id",
        subject=f"Re: {case.tracking_code}",
        text="Saya kakak pelapor",
    )
    assert inbound.file_message(deps, about) == "unmatched"
    file_strays(deps, "Pertanyaan NIB")

    listed = inbound.unmatched(deps, "sari").messages  # the colleague sees it, with its case
    (theirs,) = [m for m in listed if m.tracking_code is not None]
    assert theirs.tracking_code == case.tracking_code
    assert inbound.to_handle(deps, "sari") == 2
    mine = inbound.unmatched(deps, "budi")
    assert [m.subject for m in mine.messages] == ["Pertanyaan NIB"]
    assert mine.total == 1 and inbound.to_handle(deps, "budi") == 1
    with pytest.raises(NotFoundError):
        inbound.mark_handled(deps, "budi", theirs.id, "sudah")
    assert inbound.mark_handled(deps, "sari", theirs.id, "dijawab lewat telepon").marked
    assert inbound.unmatched(deps, "budi", handled=True).messages == []
