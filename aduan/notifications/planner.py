"""Who hears what: the notices each domain event gives rise to.

Pure: reactions registered per event class (``reacts_to``) turn a domain event and the case as it
stands after the change into a list of ``Notice``. The service's save path writes them to the
outbox in the same transaction as the change; the dispatcher renders and delivers them later.

- the complainant: the acknowledgement with the tracking code (or why the submission is treated
  as a suggestion), the answer and the result, and on closure how long they may dispute it — on
  the channel they used when it can carry a reply (email, WhatsApp, SMS), otherwise a letter;
- the case holder: an assignment (reminders come from the deadline sweep);
- the supervisor: written reports addressed to them, late-complaint acceptance requests
  (breaches come from the deadline sweep);
- the head of office or of the agency: APIP approval requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from aduan.catalog.orgchart import OrgChart
from aduan.locale import translate
from aduan.workflow import events as ev
from aduan.workflow.case import Case, TierLevel, WrittenReport
from aduan.workflow.events import ComplaintSubmitted, DomainEvent
from aduan.workflow.states import (
    STATUS_NAMES,
    Channel,
    ReplyChannel,
    Role,
    ScreeningReason,
    Status,
)

EMAIL, SMS, WHATSAPP, LETTER, IN_APP = "email", "sms", "whatsapp", "letter", "in_app"
CHANNELS = (EMAIL, SMS, WHATSAPP, LETTER, IN_APP)
LANGUAGES = ("id", "en")
# Online intake channels that cannot reply themselves; a complainant there gets email if given.
ONLINE = frozenset({Channel.WEB_DPMPTSP, Channel.WEB_MPP, Channel.LAPOR, Channel.API})
COMPLAINANT = "complainant"  # how idempotency keys name the complainant (never the address)

# The events and who they go to; each has a template per language (templates/<lang>/<event>.j2).
EVENTS = (
    "acknowledged",  # complainant: recorded as a complaint, with the tracking code
    "suggestion_recorded",  # complainant: treated as a suggestion, and why
    "answered",  # complainant: the answer or the result
    "closed",  # complainant: closed, and until when it may be disputed
    "withdrawn",  # complainant: withdrawn (by whom, why) and until when it may be undone
    "referred",  # complainant: referred, to whom and why
    "merged",  # complainant: merged into the main case as a duplicate (issue 14 item 4)
    "merged_result",  # complainant of a merged duplicate: the main case's result
    "unmerged",  # complainant: the merge undone; handled on its own again, and why
    "info_requested",  # complainant: the question; the answer deadline waits for the reply
    "deadline_extended",  # complainant: the new answer deadline and why
    "assigned",  # case holder
    "complainant_wrote",  # case holder: the complainant replied (tracking page or email)
    "report_addressed",  # the addressee of a written report
    "late_acceptance_requested",  # supervisors: a late complaint may be accepted
    "apip_approval_requested",  # the head who decides on APIP
    "deadline_reminder",  # case holder (from the deadline sweep)
    "deadline_breached",  # supervisor and holder (from the deadline sweep)
)


@dataclass(frozen=True, slots=True)
class NotifyPolicy:
    """Whether notices are written, and in which language they are rendered."""

    enabled: bool = True
    language: str = "id"
    reply_by_email: bool = False  # the office reads replies to its emails (ADUAN_IMAP_HOST)


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to queue: ``ref`` names the recipient in the idempotency key."""

    event: str
    recipient: str
    channel: str
    ref: str
    context: dict[str, Any]


def case_context(case: Case) -> dict[str, Any]:
    """What every template may show: the tracking code, the status in words and the deadlines."""
    label_id, label_en = STATUS_NAMES[case.status], translate(STATUS_NAMES[case.status], "en")
    return {
        "tracking_code": case.tracking_code,
        "subject": case.subject,
        "kind": case.kind.value,
        "status": case.status.value,
        "status_id": label_id,
        "status_en": label_en,
        "response_due_at": _iso(case.response_due_at),
        "stage_due_at": _iso(case.stage_due_at),
    }


def complainant_channel(case: Case, reply: ReplyChannel | None = None) -> tuple[str, str] | None:
    """Where a message to the complainant goes: (channel, address), or None when nowhere.

    The reply channel an officer chose wins; otherwise the intake channel when it can carry a
    reply, and for a submission through an online form (the office's or the MPP's website,
    SP4N-LAPOR!, the API) the email address it gave. A complainant we cannot write to that way
    gets a letter (printed and posted, or handed over by the office) when they gave a name or a
    postal address; otherwise nothing is sent.
    """
    person = case.complainant
    wanted = reply.value if reply is not None else case.channel.value
    if reply is None and case.channel in ONLINE and person.email:
        wanted = Channel.EMAIL.value  # an online form has no reply path of its own
    if wanted == Channel.EMAIL.value and person.email:
        return EMAIL, person.email
    if wanted in (Channel.SMS.value, Channel.WHATSAPP.value) and person.phone:
        return wanted, person.phone
    if reply in (ReplyChannel.PHONE, ReplyChannel.IN_PERSON):
        return None  # answered by voice or in person: there is nothing to send
    if person.name or person.address:
        return LETTER, ", ".join(part for part in (person.name, person.address) if part)
    return None


@dataclass(frozen=True, slots=True)
class Situation:
    """What reactions consult besides the event and the case: the chart and the policy."""

    chart: OrgChart
    reopen_window_days: int
    withdraw_undo_hours: int = 72
    reply_by_email: bool = False  # a reply to an emailed notice reaches the case


Reaction = Callable[[Any, Case, Situation], list[Notice]]
_REACTIONS: dict[type[DomainEvent], list[Reaction]] = {}


def reacts_to(*kinds: type[DomainEvent]) -> Callable[[Reaction], Reaction]:
    """Register the decorated function as a reaction to these event classes (and subclasses)."""

    def register(reaction: Reaction) -> Reaction:
        for kind in kinds:
            _REACTIONS.setdefault(kind, []).append(reaction)
        return reaction

    return register


def reactions_to(kind: type[DomainEvent]) -> list[Reaction]:
    """The reactions an event of class ``kind`` triggers: its own first, then its bases'."""
    return [r for cls in kind.__mro__ for r in _REACTIONS.get(cls, ())]


def own_reactions(kind: type[DomainEvent]) -> list[Reaction]:
    """The reactions registered for ``kind`` itself, not for its bases."""
    return list(_REACTIONS.get(kind, ()))


def notices_for(event: DomainEvent, case: Case, situation: Situation) -> list[Notice]:
    """The notices ``event`` gives rise to, for ``case`` as it stands after the change.

    A letter also carries what is printed on it besides the notice (``letter_context``).
    """
    notices = [
        n for reaction in reactions_to(type(event)) for n in reaction(event, case, situation)
    ]
    return [
        replace(n, context=n.context | letter_context(event, case, situation.chart))
        if n.channel == LETTER
        else n
        for n in notices
    ]


COMPLAINTS_OFFICER = "Pejabat Pengelola Pengaduan"  # who signs when the chart names no one


def letter_context(event: DomainEvent, case: Case, chart: OrgChart) -> dict[str, Any]:
    """What a letter prints besides the notice: the addressee and who signs (issue 13 item 4).

    The complainant's name and postal address on separate lines; the signatory is the staff
    member who took the action (who sent the answer), else the holder of the office's entry
    post (its complaints officer): name, position and NIP from the org chart, else the post's
    title alone.
    """
    person = case.complainant
    user = None
    if isinstance(event, ev.ActionTaken) and not event.by_system:
        user = chart.users.get(event.actor)
    entry = _entry_post(chart)
    if user is None and entry is not None and entry.holder:
        user = chart.users.get(entry.holder)
    post = chart.positions.get(user.position) if user and user.position else None
    title = post.title if post else (entry.title if entry else COMPLAINTS_OFFICER)
    signatory = {
        "name": user.full_name if user else "",
        "position": title,
        "nip": user.nip if user else None,
    }
    return {
        "letter": {
            "name": person.name or "",
            "address": person.address or "",
            "signatory": signatory,
        }
    }


def _entry_post(chart: OrgChart) -> TierLevel | None:
    """The first post of the office's chain: its complaints officer."""
    offices = [u for u in chart.units.values() if u.kind == "office"]
    levels = chart.chain(offices[0].code) if offices else []
    return levels[0] if levels else None


@reacts_to(ComplaintSubmitted)
def _acknowledge(event: ComplaintSubmitted, case: Case, situation: Situation) -> list[Notice]:
    """The acknowledgement, and for a late complaint the supervisors' acceptance request."""
    context = case_context(case)
    notices: list[Notice] = []
    route = complainant_channel(case)
    if case.status is Status.SUGGESTION:
        reason = case.screening_reason.value if case.screening_reason else ""
        context["screening_reason"] = reason
        if route:
            notices.append(_to_complainant("suggestion_recorded", route, context))
        if case.screening_reason is ScreeningReason.LATE:
            context["intake_days"] = case.intake_days
            notices += [
                Notice("late_acceptance_requested", user, IN_APP, user, context)
                for user in _supervisors(situation.chart)
            ]
    elif route:
        notices.append(_to_complainant("acknowledged", route, context))
    return notices


@reacts_to(ev.ComplainantAnswered, ev.ComplainantInformed)
def _answered(event: ev.ActionTaken, case: Case, situation: Situation) -> list[Notice]:
    """The answer or the result, on the reply channel the officer chose."""
    route = complainant_channel(case, ReplyChannel(event.payload.channel))
    if not route:
        return []
    final = isinstance(event, ev.ComplainantInformed)
    interim = getattr(event.payload, "answer_kind", None) == "interim"
    answer: dict[str, Any] = {"answer": event.payload.text, "final": final, "interim": interim}
    if case.outcome is not None:
        answer["outcome"] = case.outcome.value
    return [_to_complainant("answered", route, case_context(case) | answer)]


@reacts_to(ev.CaseClosed)
def _closed(event: ev.CaseClosed, case: Case, situation: Situation) -> list[Notice]:
    """Closed, and until when the complainant may dispute the result."""
    route = complainant_channel(case)
    if not route or case.closed_at is None:
        return []
    days = situation.reopen_window_days
    until = case.closed_at + timedelta(days=days)
    extra = {"reopen_until": until.isoformat(), "reopen_days": days}
    return [_to_complainant("closed", route, case_context(case) | extra)]


@reacts_to(ev.CaseWithdrawn)
def _withdrawn(event: ev.CaseWithdrawn, case: Case, situation: Situation) -> list[Notice]:
    """Withdrawn, by the complainant or by an officer (then who, and why), undoable until when.

    Issue 12 item 4: a complainant whose complaint an officer withdrew (say, as a duplicate)
    hears it while they can still undo it.
    """
    route = complainant_channel(case)
    withdrawal = case.withdrawal
    if not route or withdrawal is None:
        return []
    by_officer = withdrawal.role is not Role.COMPLAINANT
    until = withdrawal.at + timedelta(hours=situation.withdraw_undo_hours)
    extra = {
        "by_officer": by_officer,
        "reason": withdrawal.reason if by_officer else "",
        "undo_until": until.isoformat(),
    }
    return [_to_complainant("withdrawn", route, case_context(case) | extra)]


@reacts_to(ev.CaseReferred)
def _referred(event: ev.CaseReferred, case: Case, situation: Situation) -> list[Notice]:
    """Referred: the complainant hears to whom and why (the superior gets the written report)."""
    route = complainant_channel(case)
    if not route:
        return []
    extra = {"addressee": case.referred_to or "", "reason": getattr(event.payload, "reason", "")}
    return [_to_complainant("referred", route, case_context(case) | extra)]


@reacts_to(ev.CaseMarkedDuplicate)
def _merged(event: ev.CaseMarkedDuplicate, case: Case, situation: Situation) -> list[Notice]:
    """Merged as a duplicate: handled with the main case, whose result will reach them too.

    The main case's tracking code only when it is their own complaint too (the same email
    address or phone number): another complainant's code would open that case's answers.
    """
    route = complainant_channel(case)
    if not route:
        return []
    payload = event.payload
    extra = {
        "main_code": getattr(payload, "shown_code_context", None),
        "response_due_at": getattr(payload, "main_due_context", None),
    }
    return [_to_complainant("merged", route, case_context(case) | extra)]


@reacts_to(ev.MergeUndone)
def _unmerged(event: ev.MergeUndone, case: Case, situation: Situation) -> list[Notice]:
    """A merge undone: the complaint is handled on its own again, why, and its answer deadline.

    Nothing of the main case (its code, its complainant): only that the two are apart again.
    """
    route = complainant_channel(case)
    if not route:
        return []
    extra = {"reason": getattr(event.payload, "reason", "")}
    return [_to_complainant("unmerged", route, case_context(case) | extra)]


def merged_result(main: Case, duplicate: Case) -> list[Notice]:
    """The main case's result for the complainant of a duplicate merged into it (at its close).

    The outcome, the summary of the result and the corrective actions: what the office found,
    never the main complainant's identity or the answer addressed to them.
    """
    route = complainant_channel(duplicate)
    if not route:
        return []
    extra = {
        "outcome": main.outcome.value if main.outcome else None,
        "summary": main.result_summary or "",
        "corrective_actions": list(main.corrective_actions),
        "response_due_at": _iso(main.response_due_at),
    }
    return [_to_complainant("merged_result", route, case_context(duplicate) | extra)]


@reacts_to(ev.LateComplaintAccepted, ev.SuggestionConverted)
def _accepted(event: ev.ActionTaken, case: Case, situation: Situation) -> list[Notice]:
    """A late submission accepted, or a suggestion converted, is acknowledged as a complaint."""
    route = complainant_channel(case)
    return [_to_complainant("acknowledged", route, case_context(case))] if route else []


@reacts_to(ev.InformationRequested)
def _info_requested(event: ev.ActionTaken, case: Case, situation: Situation) -> list[Notice]:
    """Issue 14 item 5: the complainant reads the question and how to reply."""
    route = complainant_channel(case)
    extra = {
        "question": getattr(event.payload, "question", ""),
        "reply_by_email": situation.reply_by_email and route is not None and route[0] == EMAIL,
    }
    return [_to_complainant("info_requested", route, case_context(case) | extra)] if route else []


@reacts_to(ev.InformationReceived, ev.ComplainantWrote)
def _complainant_wrote(event: ev.DomainEvent, case: Case, situation: Situation) -> list[Notice]:
    """Issue 14 item 5: the holder hears that the complainant replied, by any way but staff.

    A reply to a request for information (the tracking page, or an email) resumes the clock;
    an email on a case that waits for nothing is on the timeline. A reply staff recorded
    themselves needs no notice.
    """
    holder = case.assignee
    resumed = isinstance(event, ev.InformationReceived)
    if holder is None or (resumed and getattr(event, "role", None) != Role.COMPLAINANT.value):
        return []
    context = case_context(case) | {"resumed": resumed}
    return [Notice("complainant_wrote", holder, IN_APP, holder, context)]


@reacts_to(ev.DeadlineExtended)
def _extended(event: ev.ActionTaken, case: Case, situation: Situation) -> list[Notice]:
    """Issue 14 item 5: the complainant reads the new answer deadline and the written reason."""
    route = complainant_channel(case)
    extra = {"reason": getattr(event.payload, "reason", "")}
    return (
        [_to_complainant("deadline_extended", route, case_context(case) | extra)] if route else []
    )


@reacts_to(ev.ApipRequested)
def _apip_requested(event: ev.ApipRequested, case: Case, situation: Situation) -> list[Notice]:
    """The head who decides on APIP hears of the request."""
    head = _decider(case, situation.chart)
    # The head decides with the officer's reason in the notice itself (issue 13 item 1).
    context = {
        **case_context(case),
        "reason": getattr(event.payload, "reason", ""),
        "requested_by": _person(situation.chart, event.actor),
    }
    return [Notice("apip_approval_requested", head, IN_APP, head, context)] if head else []


def _person(chart: OrgChart, username: str) -> str:
    """A staff member as a notice names them (name, position); the username if not on the chart."""
    user = chart.users.get(username)
    if user is None:
        return username
    post = chart.positions.get(user.position) if user.position else None
    return f"{user.full_name}, {post.title}" if post else user.full_name


@reacts_to(ev.ActionTaken)
def _reports_and_holder(event: ev.ActionTaken, case: Case, situation: Situation) -> list[Notice]:
    """Written reports reach their addressees; a new holder hears the case is theirs.

    An escalation by the deadline sweep is announced by the breach notices instead.
    """
    if event.by_system:
        return []
    chart = situation.chart
    addressed = [r for r in event.reports if r.addressee in chart.users]
    holder = case.assignee
    assigned = bool(holder) and holder not in (event.assignee_before, event.actor)
    if not addressed and not assigned:
        return []  # most actions: no notice, so no context to build
    context = case_context(case)
    notices = [_report_notice(r, context, chart) for r in addressed]
    if holder and assigned:
        notices.append(Notice("assigned", holder, IN_APP, holder, context))
    return notices


@reacts_to(ev.ConcernsNamed)
def _skipped_to(event: ev.ConcernsNamed, case: Case, situation: Situation) -> list[Notice]:
    """A concerned holder was skipped (issue 16 item 3): the new holder hears it is theirs."""
    if case.assignee and case.assignee not in (event.assignee_before, event.actor):
        return [Notice("assigned", case.assignee, IN_APP, case.assignee, case_context(case))]
    return []


@reacts_to(ev.HolderHandedOver)
def _handed_over(event: ev.HolderHandedOver, case: Case, situation: Situation) -> list[Notice]:
    """The superior who receives a departed holder's case hears it is theirs now."""
    return [Notice("assigned", event.to_holder, IN_APP, event.to_holder, case_context(case))]


@reacts_to(ev.DeadlineReminderDue)
def _reminder(event: ev.DeadlineReminderDue, case: Case, situation: Situation) -> list[Notice]:
    """The holder is reminded of a deadline."""
    context = case_context(case) | _deadline_context(event)
    return [Notice("deadline_reminder", event.holder, IN_APP, event.holder, context)]


@reacts_to(ev.DeadlineBreached)
def _breached(event: ev.DeadlineBreached, case: Case, situation: Situation) -> list[Notice]:
    """The superior (the new holder after an escalation) and the holder who missed it hear."""
    context = case_context(case) | _deadline_context(event)
    recipients = dict.fromkeys((event.superior, event.holder))
    return [Notice("deadline_breached", r, IN_APP, r, context) for r in recipients]


def _deadline_context(event: ev.DeadlineReminderDue | ev.DeadlineBreached) -> dict[str, Any]:
    return {"deadline": event.deadline, "point": event.point, "due_at": event.due_at.isoformat()}


def _report_notice(report: WrittenReport, context: dict[str, Any], chart: OrgChart) -> Notice:
    extra = {"report_kind": report.kind, "report_author": report.author, "report": report.text}
    author = chart.users.get(report.author)
    if author:
        extra["report_author_name"] = author.full_name
    return Notice("report_addressed", report.addressee, IN_APP, report.addressee, context | extra)


def _to_complainant(event: str, route: tuple[str, str], context: dict[str, Any]) -> Notice:
    channel, address = route
    return Notice(event, address, channel, COMPLAINANT, context)


def _supervisors(chart: OrgChart) -> list[str]:
    office = chart.office().code
    return sorted(
        u.username
        for u in chart.users.values()
        if u.active
        and u.role is Role.SUPERVISOR
        and (u.position is None or chart.positions[u.position].unit == office)
    )


def _decider(case: Case, chart: OrgChart) -> str | None:
    """Who approves APIP: the head at the top of the case's chain (office or agency)."""
    if case.chain and case.chain[-1].holder:
        return case.chain[-1].holder
    top = chart.chain(chart.office().code)
    return top[-1].holder if top else None


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
