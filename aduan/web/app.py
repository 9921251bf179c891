"""The web application: the API, the public side, Open311, the staff UI and ``/healthz``.

``create_app`` wires routers, error handlers and middleware around a ``Deps``; with
``start_background`` it also runs the scheduler (deadline sweep, notification dispatch) in
the process for as long as the app lives.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio.to_thread
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from aduan import bootstrap
from aduan.adapters.sql.uow import SqlUnitOfWorkFactory
from aduan.config import Settings
from aduan.jobs import scheduler
from aduan.jobs.periodic import SteadyBackgroundScheduler
from aduan.service import Deps
from aduan.web import health, problems
from aduan.web.api import cases as api
from aduan.web.api import open311, public
from aduan.web.auth import StaffCache
from aduan.web.i18n import Translator, language_of
from aduan.web.middleware import Guard, RequestContext
from aduan.web.proxies import TrustedProxies
from aduan.web.ratelimit import IntakeLimits
from aduan.web.ui import qa as qa_ui
from aduan.web.ui import reports as reports_ui
from aduan.web.ui import transparency as transparency_ui
from aduan.web.ui.render import http_error_page, page
from aduan.workflow.errors import AduanError
from aduan.workflow.states import N_

log = structlog.get_logger()
# Threads running the (synchronous) endpoints. SQLite work is Python and C in this process, so
# more threads only fight over the GIL (each GIL hand-over waits up to 5 ms): two keep a slow
# request (a PDF, a login) from holding up the rest. PostgreSQL requests wait on the network
# between statements, which a few more threads overlap (bench/api.py, 50 clients).
SQLITE_THREADS = 2
POSTGRES_THREADS = 4
# Who a token or session belongs to is looked up again after this long (auth.StaffCache).
STAFF_CACHE_SECONDS = 5.0
STATIC_DIR = Path(__file__).resolve().parent / "static"

DESCRIPTION = """\
Penanganan pengaduan DPMPTSP / complaint handling for Indonesian public-service offices.

Staff authenticate with `Authorization: Bearer <token>` (`aduan users token USERNAME`) or the
`aduan_session` cookie from `POST /api/v1/session` (then send `X-CSRF-Token` on writes).
Errors are `application/problem+json` (RFC 9457) naming the field and the rule.
"""


def create_app(deps: Deps, settings: Settings, *, start_background: bool = True) -> FastAPI:
    """The ASGI app over ``deps``; ``start_background`` runs the scheduler while it lives."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = worker_threads(deps)
        if start_background:
            background = SteadyBackgroundScheduler(timezone="UTC")
            scheduler.configure(
                background,
                deps,
                dispatcher=bootstrap.build_dispatcher(deps, settings),
                dispatch_seconds=settings.notify.interval_seconds,
                retention_days=settings.notify.retention_days,
                auth_retention_days=settings.auth_retention_days,
                retention_years=settings.retention_years,
                mail=bootstrap.build_mail_polling(settings),
            )
            background.start()
            app.state.scheduler = background
            log.info("scheduler_started", jobs=[j.id for j in background.get_jobs()])
        try:
            yield
        finally:
            if app.state.scheduler is not None:
                # Let a running sweep finish its transaction before the process goes.
                app.state.scheduler.shutdown(wait=True)
                log.info("scheduler_stopped")

    app = FastAPI(
        title="Aduan",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.deps = deps
    app.state.settings = settings
    app.state.scheduler = None
    app.state.staff_cache = StaffCache(STAFF_CACHE_SECONDS)
    app.state.background = start_background
    app.state.intake_limits = IntakeLimits(settings.intake_per_device, settings.intake_per_address)
    problems.install(app)
    install_pages(app)
    app.add_middleware(
        Guard,
        max_body_bytes=settings.max_body_bytes,
        upload_body_bytes=deps.attachments.body_bytes,
    )
    app.add_middleware(RequestContext)  # a refused body is logged with its id
    # Outermost: the caller's address as everything after sees it (ADUAN_TRUSTED_PROXIES).
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxies)

    # A module-level function, not a closure over ``deps``: FastAPI remembers the endpoint
    # functions it has classified (thousands of them), so a closure would keep every app made
    # in the process alive, and with it its database engine (in the test suite, hundreds).
    app.add_api_route(
        "/healthz",
        healthz,
        methods=["GET"],
        tags=["health"],
        response_model=health.Health,
        responses={503: {"model": health.Health, "description": "Not healthy"}},
    )
    app.include_router(api.router)
    app.include_router(public.router)
    app.include_router(open311.router)
    app.include_router(reports_ui.router)
    app.include_router(transparency_ui.router)
    app.include_router(qa_ui.router)
    ui = _ui_router()
    if ui is not None:
        app.include_router(ui)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

        @app.get("/favicon.ico", include_in_schema=False)
        def favicon() -> Response:
            """Browsers ask for /favicon.ico whatever the page links; the icon is an SVG."""
            return RedirectResponse("/static/favicon.svg", status_code=301)

    return app


def healthz(request: Request) -> Any:
    """Database reachable and scheduler alive: 200; otherwise 503 with what failed."""
    state = request.app.state
    report = health.check(
        state.deps,
        state.scheduler,
        state.background,
        timedelta(minutes=state.settings.notify.stall_minutes),
    )
    status = 200 if report.ok else 503
    return JSONResponse(report.model_dump(), status_code=status)


# Paths whose errors stay problem+json for programs, whatever the Accept header says.
MACHINE_PATHS = ("/api/", "/open311/", "/healthz", "/docs", "/openapi.json")


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, Open311 or health) gets an HTML error page."""
    path = request.url.path
    if path.startswith(MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_pages(app: FastAPI) -> None:
    """404 and 405 as pages for browsers, in the page's language; problems for everyone else."""

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code in (404, 405) and wants_page(request):
            return http_error_page(request, exc.status_code, dict(exc.headers or {}))
        return problems.http_problem(request, exc)

    async def on_aduan(request: Request, exc: Exception) -> Response:
        # A refused request on a page (a bad quarter in a public link, say): the reason on a
        # page in the browser's language, with the problem's status and headers.
        assert isinstance(exc, AduanError)
        problem = problems.aduan_problem(request, exc)
        if not wants_page(request):
            return problem
        t = Translator(language_of(request))
        heading = t(N_("Permintaan tidak dapat diproses"))
        context = {"message": t.error(exc), "code": problem.status_code, "heading": heading}
        shown = page(request, "error.html", context, status_code=problem.status_code, title=heading)
        for name in ("retry-after", "www-authenticate"):
            if name in problem.headers:
                shown.headers[name] = problem.headers[name]
        return shown

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(AduanError, on_aduan)


def worker_threads(deps: Deps) -> int:
    """How many threads run endpoints for this database."""
    factory = deps.uow
    if isinstance(factory, SqlUnitOfWorkFactory) and factory.engine.dialect.name == "sqlite":
        return SQLITE_THREADS
    return POSTGRES_THREADS


def _ui_router() -> Any:
    """The staff UI's router when ``aduan.web.ui.routes`` is installed (it is built separately)."""
    if importlib.util.find_spec("aduan.web.ui.routes") is None:
        return None
    return importlib.import_module("aduan.web.ui.routes").router
