"""Drawing UI pages: the Jinja2 environment, the context every page gets, redirects.

Every page knows its language (``i18n.language_of``), the logged-in staff member (or nobody)
and the CSRF token its forms carry. Times are shown in Jakarta time (WIB).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from aduan.escalation.deadlines import DeadlineKind
from aduan.locale import translate, translations
from aduan.notifications.templates import NOTICE_LABELS
from aduan.schemas.views import DeadlineView
from aduan.service import inbound, inbox
from aduan.service.queues import SUGGESTION_ROLES
from aduan.service.reporting import FIGURES_ROLES
from aduan.web.auth import SESSION_COOKIE, Staff, csrf_token, current_staff, deps_of
from aduan.web.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, Translator, language_of
from aduan.workflow.intake import WIB
from aduan.workflow.states import (
    N_,
    OPEN_STATUSES,
    Action,
    Channel,
    Kind,
    Outcome,
    ProblemType,
    Role,
    ScreeningReason,
    Status,
    StepKind,
    Track,
)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
SOON_DAYS = 3  # working days left at which a deadline turns amber

SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.HEAD, Role.AGENCY_OFFICER, Role.AGENCY_HEAD})
APPROVER_ROLES = frozenset({Role.HEAD, Role.AGENCY_HEAD})
INTAKE_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})


def wib(moment: datetime | None) -> str:
    """A moment as Jakarta wall-clock time."""
    if moment is None:
        return "—"
    return moment.astimezone(WIB).strftime("%d/%m/%Y %H:%M WIB")


def day(value: date | None) -> str:
    """A date as day/month/year."""
    return value.strftime("%d/%m/%Y") if value else "—"


def wib_input(moment: datetime | None) -> str:
    """A moment as a ``datetime-local`` input value in Jakarta time."""
    return moment.astimezone(WIB).strftime("%Y-%m-%dT%H:%M") if moment else ""


def urgency(deadline: DeadlineView | None) -> str:
    """The CSS class of a deadline: overdue, paused, soon or ok (the text says it too)."""
    if deadline is None:
        return "due-none"
    if deadline.overdue:
        return "due-overdue"
    if deadline.paused:
        return "due-paused"
    return "due-soon" if deadline.working_days_left <= SOON_DAYS else "due-ok"


def due_text(t: Translator, deadline: DeadlineView | None) -> str:
    """How much time is left, in words (colour is never the only signal).

    A clock paused for the complainant's information (issue 14 item 5) says until when the
    office waits, with the working days it had left when it stopped (or how late it already was).
    """
    if deadline is None:
        return t("tanpa tenggat")
    if deadline.paused:
        until = t.day(deadline.waiting_until) if deadline.waiting_until else "—"
        if deadline.overdue:
            return t(
                "menunggu informasi pelapor sampai %(until)s; sudah terlambat %(n)s hari kerja "
                "sebelum dihentikan",
                until=until,
                n=deadline.overdue_working_days,
            )
        return t(
            "menunggu informasi pelapor sampai %(until)s; %(n)s hari kerja tersisa",
            until=until,
            n=deadline.working_days_left,
        )
    if deadline.overdue:
        return t("terlambat %(n)s hari kerja", n=deadline.overdue_working_days)
    if deadline.working_days_left == 0:
        return t("jatuh tempo hari ini")
    return t("%(n)s hari kerja lagi", n=deadline.working_days_left)


def history_label(t: Translator, label: str) -> str:
    """A status label of the public history (stored in Indonesian: a msgid) in ``t``'s language."""
    return t(label)


@pass_context
def _gettext(context: Context, message: str) -> str:
    """The templates' ``_()``: ``message`` in the page's language (``lang`` in the context)."""
    return translate(message, context.get("lang", DEFAULT_LANGUAGE))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context.get("lang", DEFAULT_LANGUAGE)).ngettext(singular, plural, n)


TEMPLATES.env.add_extension("jinja2.ext.i18n")
TEMPLATES.env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]


# Why a delivery failed, in words an officer reads: the channels report technical English
# ("channel 'whatsapp' is not configured"); the page says what it means (msgids, translated by
# the page's language), and the technical text stays for the administrator.
DELIVERY_REASONS: tuple[tuple[str, str], ...] = (
    ("not configured", N_("saluran ini belum diatur di server; hubungi administrator")),
    ("recipient refused", N_("alamat penerima ditolak server surel")),
    ("not local@domain", N_("alamat surel penerima tidak valid")),
    ("refused", N_("server pengirim tidak dapat dihubungi")),
    ("timed out", N_("server pengirim tidak menjawab")),
    ("timeout", N_("server pengirim tidak menjawab")),
    ("template", N_("isi pesan tidak dapat disusun (kesalahan sistem)")),
)


@pass_context
def delivery_reason(context: Context, error: str | None) -> str:
    """A delivery error as the page's reader understands it."""
    t: Translator = context["t"]
    lowered = (error or "").lower()
    for marker, message in DELIVERY_REASONS:
        if marker in lowered:
            return t(message)
    return t(N_("pengiriman gagal; rincian teknis ada pada halaman Pengiriman gagal"))


@pass_context
def notice_label(context: Context, event: str) -> str:
    """What a kind of message is called, in the page's language (never its code)."""
    t: Translator = context["t"]
    return t(NOTICE_LABELS.get(event, N_("Pesan lain")))


TEMPLATES.env.filters.update(
    wib=wib,
    day=day,
    wib_input=wib_input,
    urgency=urgency,
    delivery_reason=delivery_reason,
    notice_label=notice_label,
)
TEMPLATES.env.globals.update(
    due_text=due_text,
    history_label=history_label,
    action_enum=Action,
    channel_enum=Channel,
    deadline_enum=DeadlineKind,
    kind_enum=Kind,
    outcome_enum=Outcome,
    problem_enum=ProblemType,
    reason_enum=ScreeningReason,
    role_enum=Role,
    status_enum=Status,
    step_enum=StepKind,
    track_enum=Track,
    open_statuses=frozenset(s.value for s in OPEN_STATUSES),
)


def nav(
    t: Translator, staff: Staff | None, unread: int = 0, mail: int = 0
) -> list[tuple[str, str]]:
    """The main navigation for who is logged in (links only to pages they may use).

    ``unread``: their unread in-app messages; ``mail``: the unmatched emails still to handle.
    """
    if staff is None:
        return [
            ("/lapor", t("Sampaikan pengaduan")),
            ("/lacak", t("Lacak pengaduan")),
            ("/transparansi", t("Transparansi")),
            ("/tanya-jawab", t("Tanya jawab")),
            ("/login", t("Masuk")),
        ]
    inbox_link = ("/inbox", t("Kotak masuk (%(n)s)", n=unread) if unread else t("Kotak masuk"))
    if staff.role is Role.ADMIN:  # no case content: the users and the operational messages
        return [
            ("/admin/pengguna", t("Pengguna")),
            ("/admin/kalender", t("Kalender")),
            ("/admin/katalog", t("Katalog layanan")),
            ("/admin/akses-publik", t("Akses publik")),
            ("/admin/pengiriman", t("Pengiriman gagal")),
            inbox_link,
        ]
    items = [("/queue", t("Antrean saya")), inbox_link]
    if staff.role in INTAKE_ROLES:
        items.append(("/cases/new", t("Catat pengaduan")))
    if staff.role in SUGGESTION_ROLES:  # the office's complaint staff and the Head
        items += [("/saran", t("Saran/masukan")), ("/templat", t("Templat jawaban"))]
        mail_label = t("Email masuk (%(n)s)", n=mail) if mail else t("Email masuk")
        items.append(("/email-masuk", mail_label))  # replies by email not applied
    if staff.role in SUPERVISOR_ROLES:
        items.append(("/supervisor", t("Meja atasan")))
    if staff.role in APPROVER_ROLES:
        items.append(("/approvals", t("Persetujuan APIP")))
    items.append(("/overdue", t("Lewat tenggat")))
    if staff.role in FIGURES_ROLES:  # the dashboard: not a plain officer (they have exports)
        items.append(("/laporan", t("Laporan")))
    elif staff.role is Role.OFFICER:  # the office's cases as a file, this month's
        items.append(("/laporan/ekspor.xlsx", t("Ekspor kasus")))
    if staff.role is Role.HEAD:
        items.append(("/identitas", t("Akses identitas")))
    return items


def _unread(request: Request, staff: Staff | None) -> int:
    """The staff member's unread in-app messages, for the navigation (one indexed count)."""
    if staff is None:
        return 0
    return inbox.unread_count(deps_of(request).uow, staff.username)


def _mail_to_handle(request: Request, staff: Staff | None) -> int:
    """The unmatched emails still to handle, for the navigation of those who handle them."""
    if staff is None or staff.role not in inbound.MAIL_STAFF:
        return 0
    return inbound.to_handle(deps_of(request), staff.username)


def lang_links(request: Request) -> dict[str, str]:
    """This page's address in each language."""
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    return {
        lang: f"{request.url.path}?{urlencode({**params, 'lang': lang})}" for lang in ("id", "en")
    }


def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    title: str = "",
) -> HTMLResponse:
    """Render ``template`` with the common context; remember a ``?lang=`` choice."""
    lang = language_of(request)
    t = Translator(lang)
    staff = current_staff(request)
    menu = nav(t, staff, _unread(request, staff), _mail_to_handle(request, staff))
    full = _layout(request, t, staff, csrf_token(request), menu, title, context or {})
    response = TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)
    if request.query_params.get("lang") in ("id", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response


def bare_page(request: Request, template: str, context: dict[str, Any], *, title: str) -> str:
    """A page of the site drawn outside the app, by ASGI middleware (the 413 of ``Guard``).

    The layout, the language switch and the page's language as ``page`` has them, but nothing
    is looked up in the database: the navigation is the public one, or none for a browser that
    carries a session cookie (a staff member's menu needs their account, which is not read here).
    """
    t = Translator(language_of(request))
    menu = [] if SESSION_COOKIE in request.cookies else nav(t, None)
    full = _layout(request, t, None, "", menu, title, context)
    return TEMPLATES.get_template(template).render(full)


def _layout(
    request: Request,
    t: Translator,
    staff: Staff | None,
    csrf: str,
    menu: list[tuple[str, str]],
    title: str,
    context: dict[str, Any],
) -> dict[str, Any]:
    """What the base layout reads, for ``page`` and ``bare_page``, with the page's own context."""
    return {
        "t": t,
        "lang": t.lang,
        "staff": staff,
        "csrf": csrf,
        "nav": menu,
        "path": request.url.path,
        "lang_links": lang_links(request),
        "title": title,
        **context,
    }


HTTP_PAGES = {
    404: (
        N_("Halaman tidak ditemukan"),
        N_("Alamat ini tidak ada. Periksa alamatnya, atau kembali ke beranda."),
    ),
    405: (
        N_("Tidak dapat dibuka dengan cara ini"),
        N_("Alamat ini ada, tetapi tidak menerima permintaan seperti ini (metode HTTP)."),
    ),
}


def http_error_page(request: Request, status: int, headers: dict[str, str]) -> HTMLResponse:
    """A browser's 404 or 405: a page in its language, not JSON (405 keeps its Allow header)."""
    t = Translator(language_of(request))
    title, message = HTTP_PAGES[status]
    context = {"message": t(message), "code": status, "heading": t(title)}
    response = page(request, "error.html", context, status_code=status, title=t(title))
    response.headers.update(headers)
    return response


def translator(request: Request) -> Translator:
    """The translator for this request's language."""
    return Translator(language_of(request))


def see_other(url: str) -> RedirectResponse:
    """Post/redirect/get: a 303 to ``url``."""
    return RedirectResponse(url, status_code=303)


def to_login(request: Request) -> RedirectResponse:
    """Send someone who is not logged in to the login page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/login?next={quote(target)}")


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"
