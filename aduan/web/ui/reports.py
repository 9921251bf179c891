"""Report pages: the dashboard with server-drawn SVG charts, downloads, the public SKM form.

Mounted by ``aduan.web.app.create_app``. Staff pages need a login (``auth.require_staff``;
the dashboard sends a browser to the login page instead of a 401) and show the cases the staff
member sees (DESIGN §6: an agency its own, the administrator none: 403); the survey form is
public and guarded by its one-time token.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aduan.config import Settings
from aduan.reports import ikm, labels
from aduan.reports import period as periods
from aduan.reports.charts import percent
from aduan.reports.evaluation import evaluation_csv, evaluation_pdf
from aduan.reports.html import render
from aduan.reports.pdf import written_report_pdf
from aduan.reports.recap import COMPLIANCE_COLOURS, Recap, recap_charts, recap_pdf
from aduan.reports.statistics import Statistics
from aduan.service import survey
from aduan.service.accounts import Staff
from aduan.service.evaluation import build_evaluation
from aduan.service.reports import build_recap, compute_statistics, export_cases, written_report
from aduan.web import auth
from aduan.web.auth import client_ip, current_staff, deps_of, require_staff
from aduan.web.i18n import Translator
from aduan.web.ratelimit import device_of
from aduan.web.ui.case import error_page
from aduan.web.ui.render import page, to_login, translator
from aduan.workflow.errors import AduanError, InputError, NotFoundError, http_status
from aduan.workflow.intake import wib_date
from aduan.workflow.states import N_

router = APIRouter(include_in_schema=False)  # pages and documents; /api/v1/reports lists them
StaffUser = Annotated[Staff, Depends(require_staff)]
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _settings(request: Request) -> Settings:
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else Settings()


def _period(
    request: Request,
    first: str | None,
    last: str | None,
    month: str | None,
    quarter: str | None,
    year: int | None,
) -> periods.Period:
    """The period asked for; none at all: the current month in Jakarta."""
    if not any((first, last, month, quarter, year)):
        month = wib_date(deps_of(request).clock.now()).strftime("%Y-%m")
    return periods.choose_period(first, last, month, quarter, year)


@router.get("/laporan", response_class=HTMLResponse)
def dashboard(
    request: Request,
    first: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    month: str | None = None,
    quarter: str | None = None,
    year: str | None = None,
) -> Response:
    """Laporan: dasbor statistik dengan grafik / the reports page: figures, charts and links.

    A page of the site (the menu, a period picker, the links to the recap, the export, the
    written reports and the yearly evaluation). A browser that is not logged in goes to the
    login page and comes back here after; a period it cannot read is said next to the picker.
    """
    staff = current_staff(request)
    if staff is None:
        return to_login(request)
    deps = deps_of(request)
    today = wib_date(deps.clock.now())
    try:
        chosen = _period(request, first, to, month, quarter, _year(year))
    except InputError as exc:
        chosen = periods.month(today.strftime("%Y-%m"))
        problem: InputError | None = exc
    else:
        problem = None
    try:
        recap = build_recap(deps, chosen, staff.username)
    except AduanError as exc:  # a person in a browser gets a page, not problem+json
        return error_page(request, exc)
    return page(
        request,
        "reports.html",
        dashboard_context(recap, today, problem, translator(request)),
        title=translator(request)("Laporan %(period)s", period=chosen.label),
    )


def _year(text: str | None) -> int | None:
    """``?year=`` as a number; an input error naming the field otherwise."""
    if not text:
        return None
    if not text.strip().isdigit():
        raise InputError("year", "number", N_("tahun berupa angka, bukan %(text)r"), text=text)
    return int(text)


def dashboard_context(
    recap: Recap, today: date, problem: InputError | None, t: Translator
) -> dict[str, Any]:
    """What the reports page shows for ``recap``."""
    chosen = recap.period
    arg = urlencode(periods.query_of(chosen))
    kind = periods.kind_of(chosen)
    recap_arg = (
        arg
        if kind in ("month", "quarter")
        else urlencode({"quarter": periods.quarter_of(chosen.first).key})
    )
    this_year = chosen.first.year
    return {
        **picker_context(chosen, today, "/laporan", periods.query_of),
        "recap": recap,
        "s": recap.statistics,
        "generated_at": datetime.fromisoformat(recap.statistics.generated_at),
        "c": recap.statistics.compliance,
        "kind": kind,
        "problem": t.error(problem) if problem else None,
        "charts": recap_charts(recap),
        "compliance_colours": COMPLIANCE_COLOURS,
        "percent": percent,
        "overdue": [(c, recap.late_days.get(c.id)) for c in recap.overdue],
        "apip": recap.apip,
        "status_label": lambda code: labels.label(labels.STATUSES, code),
        "links": {
            "recap_pdf": f"/laporan/rekap.pdf?{recap_arg}",
            "export_csv": f"/laporan/ekspor.csv?{arg}",
            "export_xlsx": f"/laporan/ekspor.xlsx?{arg}",
            "json": f"/laporan/statistik.json?{arg}",
            "evaluation_pdf": f"/laporan/evaluasi.pdf?year={this_year - 1}",
            "evaluation_csv": f"/laporan/evaluasi.csv?year={this_year - 1}",
        },
        "evaluation_year": this_year - 1,
        "recap_label": chosen.label
        if kind in ("month", "quarter")
        else periods.quarter_of(chosen.first).label,
    }


def picker_context(
    chosen: periods.Period,
    today: date,
    action: str,
    query: Callable[[periods.Period], dict[str, str]],
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the period picker (``_period_picker.html``) shows on the page at ``action``.

    ``query`` gives the query parameters that ask for a period; ``names`` the parameter of
    each of the three forms (``month``, ``quarter``, ``year`` unless said otherwise).
    """
    quarters = [periods.quarter_of(today)]
    for _ in range(7):  # this quarter and the seven before it, newest first
        quarters.append(periods.step(quarters[-1], -1))
    return {
        "picker_action": action,
        "picker_names": {k: k for k in ("month", "quarter", "year")} | dict(names or {}),
        "previous": "?" + urlencode(query(periods.step(chosen, -1))),
        "next": "?" + urlencode(query(periods.step(chosen, 1))),
        "month_value": chosen.first.strftime("%Y-%m"),
        "quarters": [(q.key, q.label) for q in quarters],
        "quarter_value": periods.quarter_of(chosen.first).key,
        "year_value": chosen.first.year,
    }


@router.get("/laporan/statistik.json")
def statistics_json(
    request: Request,
    staff: StaffUser,
    first: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    month: str | None = None,
    quarter: str | None = None,
    year: int | None = None,
) -> Statistics:
    """Statistik periode (JSON) / the statistics of a period."""
    chosen = _period(request, first, to, month, quarter, year)
    return compute_statistics(deps_of(request), chosen, staff.username)


@router.get("/laporan/evaluasi.{fmt}")
def evaluation_download(request: Request, staff: StaffUser, fmt: str, year: int) -> Response:
    """Evaluasi tahunan standar pelayanan (PDF atau CSV) / the yearly evaluation."""
    if fmt not in ("pdf", "csv"):
        raise InputError("format", "pdf_or_csv", N_("format pdf atau csv, bukan %(fmt)r"), fmt=fmt)
    result = build_evaluation(deps_of(request), periods.year(year), staff.username)
    if fmt == "csv":
        return Response(
            evaluation_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="evaluasi-{year}.csv"'},
        )
    data = evaluation_pdf(result, _settings(request).office)
    return Response(
        data,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="evaluasi-{year}.pdf"'},
    )


@router.get("/laporan/rekap.pdf")
def recap_download(
    request: Request, staff: StaffUser, month: str | None = None, quarter: str | None = None
) -> Response:
    """Rekap PDF untuk Kepala Dinas / the recap as PDF."""
    chosen = _period(request, None, None, month, quarter, None)
    recap = build_recap(deps_of(request), chosen, staff.username)
    data = recap_pdf(recap, _settings(request).office)
    name = f"rekap-{recap.period.key}.pdf"
    return Response(
        data, media_type=PDF, headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


@router.get("/laporan/kasus/{ref}/tertulis/{number}.{fmt}")
def written_download(
    request: Request, staff: StaffUser, ref: str, number: int, fmt: str
) -> Response:
    """Laporan tertulis (HTML atau PDF) / a written tier report."""
    doc = written_report(deps_of(request), ref, staff.username, number, _settings(request).office)
    if fmt == "pdf":
        return Response(written_report_pdf(doc), media_type=PDF)
    return HTMLResponse(render("written_report.html", doc=doc))


@router.get("/laporan/ekspor.{fmt}")
def export_download(
    request: Request,
    staff: StaffUser,
    fmt: str,
    month: str | None = None,
    quarter: str | None = None,
    year: int | None = None,
) -> Response:
    """Ekspor kasus CSV/XLSX (identitas sesuai peran) / export cases."""
    chosen = _period(request, None, None, month, quarter, year)
    out = io.BytesIO()
    export_cases(deps_of(request), chosen, staff.username, fmt, out)
    media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    name = f"kasus-{chosen.key}.{fmt}"
    return Response(
        out.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _quarter_words(t: Translator, key: str) -> str:
    """A quarter in the reader's language: ``Triwulan I 2026`` / ``Quarter I 2026``."""
    try:
        chosen = periods.quarter(key)
    except InputError:  # an invitation of another period (none is sent today): its key
        return key
    return t("Triwulan") + chosen.label.removeprefix("Triwulan")  # its numeral and year as made


def _survey_title(t: Translator, key: str) -> str:
    return t("Survei Kepuasan Masyarakat %(period)s", period=_quarter_words(t, key))


def _proof_page(
    request: Request, chosen: periods.Period, proof: str, problem: InputError | None
) -> HTMLResponse:
    """The public link's first step: the tracking code or licence number, and why not.

    A refusal is shown at the field (the message alone: the label is right above it).
    """
    t = translator(request)
    context = {
        "period": chosen,
        "quarter": _quarter_words(t, chosen.key),
        "proof": proof,
        "problem": AduanError.text(problem, t.lang) if problem else None,
    }
    return page(
        request,
        "survey_proof.html",
        context,
        status_code=422 if problem else 200,
        title=_survey_title(t, chosen.key),
    )


@router.get("/survei/publik/{quarter}", response_class=HTMLResponse)
def public_survey(request: Request, quarter: str) -> HTMLResponse:
    """Tautan publik: minta kode lacak atau nomor izin dulu / the public link asks for proof."""
    return _proof_page(request, periods.quarter(quarter), "", None)


@router.post("/survei/publik/{quarter}", response_class=HTMLResponse)
def public_survey_start(
    request: Request,
    quarter: str,
    bukti: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Mulai survei publik dengan bukti layanan / start a public survey with a service's proof.

    Each try counts against this device's and this address's hourly limit (429 beyond it);
    a proof that matches no case of the quarter without an answer gets one message, next to
    the field, that never says which case exists.
    """
    chosen = periods.quarter(quarter)
    auth.verify_csrf(request, csrf_token)
    try:
        token = survey.open_public_form(
            deps_of(request),
            chosen.key,
            bukti,
            address=client_ip(request),
            device=device_of(request),
        )
    except InputError as exc:
        return _proof_page(request, chosen, bukti[:100], exc)
    return RedirectResponse(f"/survei/{token}", status_code=303)


THANKS_PATH = "/survei/terima-kasih"


def _thanks(request: Request) -> HTMLResponse:
    """The thanks, whose language switch leads to itself (not to the used token's address)."""
    links = {lang: f"{THANKS_PATH}?lang={lang}" for lang in ("id", "en")}
    context = {"lang_links": links}
    return page(request, "survey_thanks.html", context, title=translator(request)("Terima kasih"))


UNKNOWN_LINK = N_(
    "Tautan survei ini tidak dikenal. Periksa alamatnya pada undangan Anda, atau buka lagi "
    "tautan publik survei."
)


def _link_refused(request: Request, exc: AduanError) -> HTMLResponse | None:
    """A survey link that cannot be answered, told to a browser on a page; else None.

    Unknown (404), used or expired (422) are said in the reader's words, without the field's
    name or the word "token"; a program keeps the problem+json of the error handler, and an
    error about the answers themselves stays with it too.
    """
    about_link = isinstance(exc, NotFoundError) or (
        isinstance(exc, InputError) and exc.field == "token"
    )
    if not about_link or "text/html" not in request.headers.get("accept", ""):
        return None
    t = translator(request)
    message = t(UNKNOWN_LINK) if isinstance(exc, NotFoundError) else AduanError.text(exc, t.lang)
    heading = t("Tautan survei tidak dapat dipakai")
    status = http_status(exc)
    context = {"heading": heading, "message": message, "code": status}
    return page(request, "error.html", context, status_code=status, title=heading)


@router.get(THANKS_PATH, response_class=HTMLResponse)
def survey_thanks(request: Request) -> HTMLResponse:
    """Terima kasih / the thanks again, in the language chosen on it."""
    return _thanks(request)


@router.get("/survei/{token}", response_class=HTMLResponse)
def survey_page(request: Request, token: str) -> HTMLResponse:
    """Formulir SKM (9 unsur, nilai 1-4) / the satisfaction survey form."""
    try:
        found = survey.survey_form(deps_of(request), token)
    except AduanError as exc:
        refused = _link_refused(request, exc)
        if refused is None:
            raise
        return refused
    t = translator(request)
    english = t.lang == "en"
    context = {
        "token": token,
        "invitation": found,
        "quarter": _quarter_words(t, found.period),
        "elements": [(key, en if english else id_) for key, id_, en in ikm.ELEMENTS],
    }
    return page(request, "survey_form.html", context, title=_survey_title(t, found.period))


@router.post("/survei/{token}", response_class=HTMLResponse)
def survey_submit(
    request: Request,
    token: str,
    u1: Annotated[int, Form()], u2: Annotated[int, Form()], u3: Annotated[int, Form()],
    u4: Annotated[int, Form()], u5: Annotated[int, Form()], u6: Annotated[int, Form()],
    u7: Annotated[int, Form()], u8: Annotated[int, Form()], u9: Annotated[int, Form()],
    comment: Annotated[str | None, Form()] = None,
) -> HTMLResponse:  # fmt: skip
    """Kirim jawaban survei (sekali) / submit the answers (once)."""
    scores = [u1, u2, u3, u4, u5, u6, u7, u8, u9]
    try:
        survey.submit_survey(deps_of(request), token, scores, comment)
    except AduanError as exc:  # sent twice (a reload of the thanks), or a link gone meanwhile
        refused = _link_refused(request, exc)
        if refused is None:
            raise
        return refused
    return _thanks(request)
