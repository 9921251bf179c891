"""Who hears what (issue 4, item 3): the notices a submission or an action gives rise to.

Pure: from the case as it stands after the change (and what it was before), the action and the
organisation chart to a list of ``Notice``. The service writes them to the outbox in the same
transaction as the change; the dispatcher renders and delivers them later.

- the complainant: the acknowledgement with the tracking code (or why the submission is treated
  as a suggestion), the answer and the result, and on closure how long they may dispute it — on
  the channel they used when it can carry a reply (email, WhatsApp, SMS), otherwise a letter;
- the case holder: an assignment (reminders come from the deadline sweep);
- the supervisor: written reports addressed to them, late-complaint acceptance requests
  (breaches come from the deadline sweep);
- the head of office or of the agency: APIP approval requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aduan.catalog.orgchart import OrgChart
from aduan.workflow.case import Case, WrittenReport
from aduan.workflow.states import (
    STATUS_LABELS,
    Action,
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
    "assigned",  # case holder
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
    label_id, label_en = STATUS_LABELS[case.status]
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


def on_submit(case: Case, chart: OrgChart) -> list[Notice]:
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
                for user in _supervisors(chart)
            ]
    elif route:
        notices.append(_to_complainant("acknowledged", route, context))
    return notices


def on_action(
    case: Case,
    action: Action,
    actor: str,
    assignee_before: str | None,
    reports: tuple[WrittenReport, ...],
    payload: Any,
    chart: OrgChart,
    reopen_window_days: int,
) -> list[Notice]:
    """The notices one action gives rise to (``payload`` is the action's parsed payload)."""
    context = case_context(case)
    notices = _to_complainant_after(case, action, payload, context, reopen_window_days)
    if action is Action.REQUEST_APIP:
        head = _decider(case, chart)
        if head:
            notices.append(Notice("apip_approval_requested", head, IN_APP, head, context))
    notices += [_report_notice(r, context, chart) for r in reports if r.addressee in chart.users]
    if case.assignee and case.assignee not in (assignee_before, actor):
        notices.append(Notice("assigned", case.assignee, IN_APP, case.assignee, context))
    return notices


def _to_complainant_after(
    case: Case, action: Action, payload: Any, context: dict[str, Any], reopen_window_days: int
) -> list[Notice]:
    if action in (Action.RESPOND, Action.INFORM_COMPLAINANT):
        route = complainant_channel(case, ReplyChannel(payload.channel))
        if not route:
            return []
        answer = {"answer": payload.text, "final": action is Action.INFORM_COMPLAINANT}
        if case.outcome is not None:
            answer["outcome"] = case.outcome.value
        return [_to_complainant("answered", route, context | answer)]
    route = complainant_channel(case)
    if not route:
        return []
    if action is Action.CLOSE and case.closed_at is not None:
        until = case.closed_at + timedelta(days=reopen_window_days)
        extra = {"reopen_until": until.isoformat(), "reopen_days": reopen_window_days}
        return [_to_complainant("closed", route, context | extra)]
    if action is Action.ACCEPT_LATE:
        return [_to_complainant("acknowledged", route, context)]
    return []


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
