"""The staff inbox: in-app notifications (assignments, reports, reminders, breaches, requests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan.notifications.templates import TemplateError, render
from aduan.ports import OutboxEntry
from aduan.service import inbox
from aduan.web.auth import current_staff, deps_of, verify_csrf
from aduan.web.i18n import language_of
from aduan.web.ui.render import page, see_other, to_login

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One message as the inbox shows it, rendered in the page's language."""

    id: int
    at: datetime
    unread: bool
    tracking_code: str | None
    subject: str
    text: str


def _item(entry: OutboxEntry, lang: str) -> InboxItem:
    context = entry.message.payload.get("context", {})
    try:
        rendered = render(entry.message.event, lang, context)
        subject, text = rendered.subject, rendered.text
    except (TemplateError, KeyError, ValueError):
        subject, text = entry.message.event, ""
    return InboxItem(
        entry.id,
        entry.message.created_at,
        entry.read_at is None,
        context.get("tracking_code"),
        subject,
        text,
    )


@router.get("/inbox", response_class=HTMLResponse)
def show(request: Request, unread: bool = False) -> Response:
    """My messages, newest first; unread ones marked."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    entries, unread_count = inbox.inbox(
        deps_of(request).uow, staff.username, unread_only=unread, limit=PAGE_SIZE
    )
    items = [_item(e, language_of(request)) for e in entries]
    return page(
        request,
        "inbox.html",
        {"items": items, "unread_count": unread_count, "unread_only": unread},
    )


@router.post("/inbox/read")
async def mark_read(request: Request) -> Response:
    """Mark one message (``id``) or all of them read, then back to the inbox."""
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    form = await request.form()
    verify_csrf(request, str(form.get("csrf_token", "")))
    raw = str(form.get("id", "")).strip()
    ids = [int(raw)] if raw.isdigit() else None
    deps = deps_of(request)
    inbox.mark_read(deps.uow, deps.clock, staff.username, ids)
    return see_other("/inbox")
