"""The public transparency page and its open data (issue 14 item 7): no login, figures only.

``/transparansi?periode=2026-02`` (a month, ``2026Q1`` a quarter, ``2026`` a year; none: this
month in Jakarta) shows the office's figures of the period as ``aduan.service.transparency``
gathers them: aggregated, anonymised, small cells added up (``reports.transparency``). The same
figures as CSV at ``/transparansi.csv?periode=...``. A period it cannot read: the page again
with the message next to the picker (422), or problem+json for the CSV.

Anyone may ask, so the figures of a period are kept for ``CACHE_SECONDS`` per application
(the page says as of when: "data per ..."): a crowd reloading the page, or a script asking
for the same year again and again, costs the database one reading a minute per period.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aduan.reports import period as periods
from aduan.reports.charts import percent
from aduan.reports.transparency import (
    OTHER_SERVICES,
    SMALL_CELL,
    Transparency,
    decimal_id,
    transparency_csv,
)
from aduan.service.transparency import public_figures
from aduan.web.auth import deps_of
from aduan.web.ui.render import page, translator
from aduan.web.ui.reports import picker_context
from aduan.workflow.errors import InputError
from aduan.workflow.intake import wib_date

router = APIRouter(include_in_schema=False)
PARAM = "periode"
CACHE_SECONDS = 60.0
CACHE_PERIODS = 64  # periods kept at most; the oldest reading goes first


def _figures(request: Request, chosen: periods.Period) -> Transparency:
    """``public_figures`` of ``chosen``, read at most once a ``CACHE_SECONDS`` per period."""
    cache: dict[str, tuple[float, Transparency]] | None = getattr(
        request.app.state, "transparency_cache", None
    )
    if cache is None:
        cache = request.app.state.transparency_cache = {}
    now = monotonic()
    kept = cache.get(chosen.key)
    if kept is not None and now - kept[0] < CACHE_SECONDS:
        return kept[1]
    figures = public_figures(deps_of(request), chosen)
    cache[chosen.key] = (now, figures)
    while len(cache) > CACHE_PERIODS:
        del cache[min(cache, key=lambda k: cache[k][0])]
    return figures


def _chosen(request: Request, periode: str | None) -> periods.Period:
    """The period asked for; none: the current month in Jakarta."""
    if not periode:
        return periods.month(wib_date(deps_of(request).clock.now()).strftime("%Y-%m"))
    return periods.from_key(periode, PARAM)


def _query(p: periods.Period) -> dict[str, str]:
    return {PARAM: p.key}


@router.get("/transparansi", response_class=HTMLResponse)
def transparency_page(request: Request, periode: str | None = None) -> HTMLResponse:
    """Transparansi: angka pengaduan kantor per periode / the public figures of a period."""
    t = translator(request)
    today = wib_date(deps_of(request).clock.now())
    try:
        chosen = _chosen(request, periode)
    except InputError as exc:
        current = periods.month(today.strftime("%Y-%m"))
        context = {
            **picker_context(current, today, "/transparansi", _query, _names()),
            "problem": t.error(exc),
            "figures": None,
        }
        title = t("Transparansi pengaduan")
        return page(request, "transparency.html", context, status_code=422, title=title)
    figures = _figures(request, chosen)
    context = {
        **picker_context(chosen, today, "/transparansi", _query, _names()),
        **page_context(figures),
    }
    title = t("Transparansi pengaduan %(period)s", period=chosen.label)
    return page(request, "transparency.html", context, title=title)


def _names() -> dict[str, str]:
    return {"month": PARAM, "quarter": PARAM, "year": PARAM}


def page_context(figures: Transparency) -> dict[str, Any]:
    """What the page shows of ``figures`` (besides the picker)."""
    return {
        "figures": figures,
        "problem": None,
        "c": figures.compliance,
        "percent": percent,
        "decimal": decimal_id,
        "small_cell": SMALL_CELL,
        "other_services": OTHER_SERVICES,
        "csv_link": f"/transparansi.csv?{PARAM}={figures.period.key}",
    }


@router.get("/transparansi.csv")
def transparency_csv_download(request: Request, periode: str | None = None) -> Response:
    """Data terbuka transparansi (CSV, UTF-8) / the public figures as open data."""
    figures = _figures(request, _chosen(request, periode))
    name = f"transparansi-{figures.period.key}.csv"
    return Response(
        transparency_csv(figures).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
