"""A closed case's question and answer published as a public Q&A (tanya jawab, issue 14 item 7).

The public transparency page shows no free text of a case, unless the complainant agreed that
the question and answer of their complaint be published without their identity
(``Case.qa_consent``, asked at intake, default no) and a supervisor or the Head published an
anonymised version of them. The complainant may withdraw that consent at any time, on the
tracking page with their PIN: the entry is unpublished at once, in the same change. The guards
name the rule each refusal breaks; the effects change only the case (the save path keeps the
public page's copy, ``aduan.service.saving``).
"""

from __future__ import annotations

from aduan.workflow.case import PublicAnswer
from aduan.workflow.context import ActionContext
from aduan.workflow.errors import InputError, RuleViolationError
from aduan.workflow.payloads import PublishQaPayload
from aduan.workflow.states import N_


def consent_given(ctx: ActionContext) -> None:
    """Nothing of a case is published, nor consent withdrawn, without the complainant's consent."""
    case = ctx.case
    if not case.qa_consent:
        raise RuleViolationError(
            case.ref,
            "qa_consent",
            N_(
                "pelapor tidak menyetujui (atau telah mencabut persetujuan) penerbitan tanya "
                "jawab atas pengaduan ini"
            ),
        )


def published(ctx: ActionContext) -> None:
    """Only a published entry can be taken down."""
    case = ctx.case
    if case.public_qa is None:
        raise RuleViolationError(
            case.ref,
            "qa_published",
            N_("tanya jawab pengaduan ini tidak sedang diterbitkan"),
        )


# They read only the case: the case page offers publishing only with consent, taking down only
# a published entry, and withdrawing consent only while it is given
# (``aduan.workflow.guards.AUTHORITY_GUARDS``).
PUBLICATION_GUARDS = frozenset({consent_given, published})


def publish_qa(ctx: ActionContext) -> None:
    """Publish (or replace) the case's Q&A entry, as the staff member wrote it."""
    p = ctx.payload
    if not isinstance(p, PublishQaPayload):  # the lifecycle validated it against the declaration
        raise TypeError(f"PublishQaPayload expected, got {type(p).__name__}")
    if not p.anonymised:
        raise InputError(
            "anonymised",
            "confirmed",
            N_(
                "pastikan nama, nomor telepon, NIK, alamat dan data pribadi lain telah dihapus "
                "dari pertanyaan dan jawaban, lalu centang konfirmasinya"
            ),
        )
    ctx.case.public_qa = PublicAnswer(
        question=p.public_question,
        answer=p.public_answer,
        service_code=p.service_code,
        published_at=ctx.now,
        published_by=ctx.actor.username,
    )


def unpublish_qa(ctx: ActionContext) -> None:
    """Take the case's Q&A entry off the public page."""
    ctx.case.public_qa = None


def withdraw_consent(ctx: ActionContext) -> None:
    """The complainant no longer agrees: no entry may be published, and none stays published."""
    ctx.case.qa_consent = False
    ctx.case.public_qa = None
