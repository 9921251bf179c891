"""Duplicates and merging (issue 14 item 4): the likely duplicates of a case, and the merge.

The likely duplicates are shown to the office staff who may merge a case, at intake (the case
page the intake opens) and on the case page: recent cases in the reader's sight with the same
contact or licence number, or a similar text by search rank — the same service only adds to
another reason. ``mark_duplicate`` merges a case into its main case, named by tracking code and
found in the actor's sight: not itself, not a suggestion, not one that is itself a duplicate
(the message points to its main case) and not one that has ended — closed, withdrawn, referred:
its result has gone out already, so the duplicate's complainant could no longer receive it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from aduan.ports import UnitOfWork
from aduan.schemas.views import RelatedView
from aduan.service.deps import sight_for
from aduan.workflow import intake, search
from aduan.workflow.case import Actor, Case, CaseEvent
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import N_, OPEN_STATUSES, Action, Kind, Status
from aduan.workflow.table import roles_for
from aduan.workflow.visibility import Sight

RECENT = timedelta(days=60)  # how far back a likely duplicate is looked for
SHOWN = 10
_SIMILAR_WORDS = 3  # the subject's longest words, all of which a similar case must contain
_STRONG = frozenset({"same_contact", "same_licence", "similar_text"})
FIELD = "main_code"
# The main case's timeline entries of a duplicate merged into it, and of a merge undone
# (``saving.note_on_main``): not actions of the table, they change nothing on the main case.
DUPLICATE_MERGED, DUPLICATE_UNMERGED = "duplicate_merged", "duplicate_unmerged"


def main_case(uow: UnitOfWork, case: Case, actor: Actor, typed: str) -> Case:
    """The main case ``typed`` names, checked; ``InputError`` on ``main_code``.

    A case out of the actor's sight is refused with the words of one that does not exist.
    """
    main = _in_sight(uow, typed, sight_for(actor))
    if main is None:
        raise InputError(
            FIELD, "case_found", N_("pengaduan '%(code)s' tidak ditemukan"), code=typed.strip()
        )
    if main.id == case.id:
        raise InputError(
            FIELD, "not_itself", N_("pengaduan tidak dapat menjadi duplikat dari dirinya sendiri")
        )
    if main.kind is not Kind.COMPLAINT:
        raise InputError(
            FIELD,
            "main_is_complaint",
            N_("%(code)s adalah saran/masukan; duplikat hanya digabungkan ke pengaduan"),
            code=main.tracking_code,
        )
    if main.status is Status.MERGED:
        raise _already_duplicate(uow, main, actor)
    if main.status not in OPEN_STATUSES:
        raise InputError(
            FIELD,
            "main_open",
            N_(
                "pengaduan %(code)s sudah selesai ditangani; duplikat hanya digabungkan ke "
                "pengaduan yang masih ditangani"
            ),
            code=main.tracking_code,
        )
    return main


def same_complainant(case: Case, main: Case) -> bool:
    """Whether both complaints came from the same email address or phone number."""
    mine, theirs = case.complainant, main.complainant
    return bool(
        (mine.email and mine.email.casefold() == (theirs.email or "").casefold())
        or (mine.phone and mine.phone == theirs.phone)
    )


def _in_sight(uow: UnitOfWork, typed: str, sight: Sight) -> Case | None:
    text = typed.strip()
    if not text or (text.isascii() and text.isdigit()):  # a code, never a guessable id
        return None
    try:
        return uow.cases.get(intake.normalise_tracking_code(text), sight)
    except NotFoundError:
        return None


def _already_duplicate(uow: UnitOfWork, main: Case, actor: Actor) -> InputError:
    """The error for a main case that is itself a duplicate: pointing to its own main case."""
    top = None
    if main.merged_into is not None:
        try:
            top = uow.cases.get(str(main.merged_into), sight_for(actor))
        except NotFoundError:
            top = None
    if top is None:
        return InputError(
            FIELD,
            "main_not_duplicate",
            N_("%(code)s sendiri adalah duplikat; gabungkan ke pengaduan utamanya"),
            code=main.tracking_code,
        )
    return InputError(
        FIELD,
        "main_not_duplicate",
        N_("%(code)s sendiri adalah duplikat dari %(main)s; gabungkan ke %(main)s"),
        code=main.tracking_code,
        main=top.tracking_code,
    )


def detail_fields(
    uow: UnitOfWork, case: Case, actor: Actor, now: datetime, *, new: bool = False
) -> dict[str, Any]:
    """What the case page shows about duplicates, as ``actor`` may see it.

    The likely duplicates only for staff who may merge the case now; the main case when it is
    one in the reader's sight; the duplicates merged into it, those in sight listed, all counted
    among its complainants (none yet for a ``new`` case: nothing is read).
    """
    assert case.id is not None
    sight = sight_for(actor)
    fields: dict[str, Any] = {}
    if actor.role in roles_for(case.status, Action.MARK_DUPLICATE):
        fields["likely_duplicates"] = likely(uow, case, sight, now)
    if case.merged_into is not None:
        with suppress(NotFoundError):  # a main case out of sight is not named
            fields["merged_into"] = uow.cases.get(str(case.merged_into), sight).tracking_code
    complaint = case.kind is Kind.COMPLAINT and not new
    merged = uow.cases.duplicates_of(case.id) if complaint else []
    if merged:
        fields["complainants"] = 1 + len(merged)
        fields["duplicates"] = [
            RelatedView(
                tracking_code=d.tracking_code,
                subject=d.subject,
                status=d.status.value,
                reasons=["merged"],
            )
            for d in merged
            if _in_sight(uow, d.tracking_code, sight) is not None
        ]
    return fields


def likely(uow: UnitOfWork, case: Case, sight: Sight, now: datetime) -> list[RelatedView]:
    """Recent open complaints in ``sight`` that may be the same as ``case``, likeliest first.

    Each with its reasons; the same service alone is no reason (most of a month's cases share
    one), only beside another.
    """
    since = now - RECENT
    reasons: dict[str, list[str]] = {}
    shown: dict[str, tuple[str, str]] = {}
    for r in uow.cases.related(case, SHOWN * 2, since=since, sight=sight):
        reasons.setdefault(r.tracking_code, []).extend(r.reasons or (r.reason,))
        shown[r.tracking_code] = (r.subject, r.status)
    for hit in _similar(uow, case, sight, since):
        reasons.setdefault(hit.tracking_code, []).append("similar_text")
        shown[hit.tracking_code] = (hit.subject, hit.status.value)
    found = [
        RelatedView(
            tracking_code=code,
            subject=shown[code][0],
            status=shown[code][1],
            reasons=list(dict.fromkeys(why)),
        )
        for code, why in reasons.items()
        if _STRONG & set(why) and shown[code][1] in _CANDIDATES
    ]
    found.sort(key=lambda v: -len(v.reasons))  # stable: newest first among equals
    return found[:SHOWN]


_CANDIDATES = frozenset(s.value for s in OPEN_STATUSES)


def _similar(uow: UnitOfWork, case: Case, sight: Sight, since: datetime) -> list[Any]:
    """Cases in sight whose text has the subject's longest words, received since ``since``."""
    words = sorted(
        {w for w in search.words(case.subject) if len(w) >= 4 and not w.isdigit()},
        key=lambda w: (-len(w), w),
    )[:_SIMILAR_WORDS]
    if not words:
        return []
    terms = search.SearchTerms(" ".join(words), tuple(words))
    hits = [h for h in uow.search.search(terms, sight, SHOWN) if h.case_id != case.id]
    return [h for h in hits if _received_since(uow, h.case_id, sight, since)]


def _received_since(uow: UnitOfWork, case_id: int, sight: Sight, since: datetime) -> bool:
    try:
        return uow.cases.get(str(case_id), sight).received_at >= since
    except NotFoundError:
        return False


def timeline_in_sight(
    uow: UnitOfWork, events: Sequence[CaseEvent], actor: Actor
) -> list[CaseEvent]:
    """The timeline as ``actor`` may read it: a duplicate out of their sight is not named.

    A main case's entries of a merge and of its undoing name the duplicate and the reason; a
    reader who may not see the duplicate (DESIGN §6: as one that does not exist) reads only
    that a duplicate was merged or taken out again.
    """
    notes = (DUPLICATE_MERGED, DUPLICATE_UNMERGED)
    codes = [str(e.data.get("duplicate")) for e in events if e.action in notes]
    if not codes:
        return list(events)
    visible = uow.cases.codes_in_sight(codes, sight_for(actor))
    return [
        e if e.action not in notes or e.data.get("duplicate") in visible else replace(e, data={})
        for e in events
    ]
