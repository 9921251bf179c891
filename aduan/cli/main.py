"""The ``aduan`` command line: every use case, ``--json`` on every read, one-line errors."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError

from aduan import bootstrap
from aduan import service as svc
from aduan.catalog.orgchart import StaffUser
from aduan.cli import notify as cli_notify
from aduan.cli import reports as reports_cli
from aduan.cli import terminal
from aduan.cli import web as web_cli
from aduan.config import Settings, load_settings
from aduan.escalation.calendar import Override
from aduan.ports import CaseQuery
from aduan.schemas.commands import ActionCommand, ComplainantInput, SubmitCommand
from aduan.schemas.views import CaseDetail, TrackingView
from aduan.service import timekeeping
from aduan.workflow.errors import (
    AduanError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    WorkflowError,
)
from aduan.workflow.intake import WIB
from aduan.workflow.lifecycle import input_error
from aduan.workflow.states import Action, Channel, Kind, Role, Status, Track

app = typer.Typer(
    help="Aduan: penanganan pengaduan DPMPTSP / complaint handling.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Basis data / database.", no_args_is_help=True, rich_markup_mode=None)
catalog_app = typer.Typer(
    help="Katalog layanan / service catalog.", no_args_is_help=True, rich_markup_mode=None
)
org_app = typer.Typer(
    help="Struktur organisasi / organisation chart.", no_args_is_help=True, rich_markup_mode=None
)
calendar_app = typer.Typer(
    help="Kalender hari kerja / working-day calendar.", no_args_is_help=True, rich_markup_mode=None
)
users_app = typer.Typer(help="Pengguna / staff users.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")
app.add_typer(org_app, name="orgchart")
app.add_typer(users_app, name="users")
app.add_typer(calendar_app, name="calendar")

T = TypeVar("T")
JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON / JSON output.")]
AsUser = Annotated[
    str, typer.Option("--as", envvar="ADUAN_USER", help="Nama pengguna petugas / staff username.")
]
EXIT = {
    InputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    PermissionDeniedError: 5,
    WorkflowError: 6,
}
_state: dict[str, Settings] = {}


@app.callback()
def _main(
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (ADUAN_DATABASE_URL).")
    ] = None,
) -> None:
    settings = load_settings()
    if db:
        settings = dataclasses.replace(settings, database_url=db)
    bootstrap.configure_logging(settings)
    _state["settings"] = settings


def _deps() -> svc.Deps:
    return bootstrap.build(_state["settings"])


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"galat/error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Every expected failure becomes one line on stderr and a non-zero exit code."""
    try:
        yield
    except ValidationError as exc:
        _fail(str(input_error(exc)), 2)
    except AduanError as exc:
        code = next((c for cls, c in EXIT.items() if isinstance(exc, cls)), 1)
        _fail(str(exc), code)
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        _fail(f"basis data/database: {detail} (sudah menjalankan `aduan db upgrade`?)", 1)


def _run(fn: Callable[[], T]) -> T:
    with _errors():
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover


def _moment(text: str | None, field: str) -> datetime | None:
    """ISO date-time; without a zone it is WIB (what an officer at the counter means)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            field,
            "iso_datetime",
            f"format waktu salah: {text!r}",
            f"not an ISO date-time: {text!r}",
        ) from None
    return value.replace(tzinfo=WIB) if value.tzinfo is None else value


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            field,
            "iso_date",
            f"format tanggal salah (YYYY-MM-DD): {text!r}",
            f"not a date (YYYY-MM-DD): {text!r}",
        ) from None


def _print_json(value: BaseModel | list[Any]) -> None:
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    else:
        typer.echo(
            json.dumps(
                [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value],
                indent=2,
                ensure_ascii=False,
            )
        )


# --- commands -----------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Buat/perbarui skema dan isi data awal / migrate and seed reference data."""
    added = _run(lambda: bootstrap.upgrade_database(_deps()))
    url = _state["settings"].database_url
    typer.echo(f"database siap/ready: {url} (layanan baru/new services: {added[0]})")


@app.command()
def submit(
    channel: Annotated[Channel, typer.Option(help="Saluran / intake channel.")],
    subject: Annotated[str, typer.Option(help="Perihal / subject line.")],
    service_date: Annotated[str, typer.Option(help="Tanggal menerima layanan (YYYY-MM-DD).")],
    description: Annotated[str, typer.Option(help="Materi pengaduan / what happened.")] = "",
    name: Annotated[str | None, typer.Option(help="Nama pelapor.")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    social: Annotated[str | None, typer.Option(help="Akun media sosial.")] = None,
    address: Annotated[str | None, typer.Option()] = None,
    public: Annotated[bool, typer.Option("--public", help="Identitas tidak dirahasiakan.")] = False,
    service: Annotated[str | None, typer.Option(help="Kode layanan (KBLI) dari katalog.")] = None,
    service_text: Annotated[
        str | None, typer.Option(help="Layanan bila kode tidak diketahui.")
    ] = None,
    licence: Annotated[str | None, typer.Option(help="Nomor izin/NIB.")] = None,
    complained_at: Annotated[
        str | None, typer.Option(help="Waktu pengaduan dibuat (ISO; tanpa zona = WIB).")
    ] = None,
    received_at: Annotated[
        str | None, typer.Option(help="Waktu diterima kantor (ISO; default sekarang).")
    ] = None,
    as_user: AsUser = "",
    as_json: JsonOpt = False,
) -> None:
    """Catat pengaduan / record a complaint (screened into complaint or suggestion)."""

    def go() -> CaseDetail:
        cmd = SubmitCommand(
            channel=channel,
            complainant=ComplainantInput(
                name=name,
                email=email,
                phone=phone,
                social=social,
                address=address,
                confidential=not public,
            ),
            subject=subject,
            description=description,
            service_code=service,
            service_text=service_text,
            licence_number=licence,
            service_received_on=_day(service_date, "service_received_on"),
            complained_at=_moment(complained_at, "complained_at"),
            received_at=_moment(received_at, "received_at"),
        )
        return svc.submit_complaint(_deps(), cmd, as_user or None)

    case = _run(go)
    if as_json:
        _print_json(case)
        return
    typer.echo(f"kode pelacakan/tracking code: {case.tracking_code}")
    if case.kind == Kind.SUGGESTION.value:
        typer.echo(f"dicatat sebagai saran/recorded as a suggestion: {case.screening_reason}")
    typer.echo(terminal.case_text(case))


def _plan_step(text: str) -> dict[str, str]:
    parts = text.split(":", 2)
    if len(parts) < 2:
        raise InputError(
            "plan",
            "kind:party[:description]",
            f"langkah tidak lengkap: {text!r}",
            f"expected kind:party[:description], got {text!r}",
        )
    return {
        "kind": parts[0].strip(),
        "party": parts[1].strip(),
        "description": parts[2].strip() if len(parts) > 2 else "",
    }


@app.command()
def act(
    case: Annotated[str, typer.Argument(help="Kode pelacakan atau nomor kasus.")],
    action: Annotated[Action, typer.Argument(help="Tindakan / action.")],
    as_user: AsUser = "",
    complainant: Annotated[
        bool, typer.Option("--complainant", help="Sebagai pelapor (withdraw/reopen).")
    ] = False,
    version: Annotated[
        int | None, typer.Option(help="Versi yang Anda lihat / expected version.")
    ] = None,
    note: Annotated[str | None, typer.Option()] = None,
    service: Annotated[str | None, typer.Option(help="classify: kode layanan.")] = None,
    problem: Annotated[
        list[str] | None, typer.Option(help="classify: jenis masalah (boleh berulang).")
    ] = None,
    core_problem: Annotated[str | None, typer.Option(help="review: inti masalah.")] = None,
    plan: Annotated[
        list[str] | None, typer.Option(help="review: langkah kind:party[:uraian].")
    ] = None,
    link: Annotated[
        list[str] | None, typer.Option(help="review: SP/SOP/peraturan tambahan.")
    ] = None,
    step: Annotated[int | None, typer.Option(help="record_step: nomor langkah.")] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            help="record_result: substantiated|partly_substantiated|not_substantiated; "
            "record_step: hasil langkah."
        ),
    ] = None,
    summary: Annotated[str | None, typer.Option(help="record_result: ringkasan hasil.")] = None,
    corrective: Annotated[
        list[str] | None, typer.Option(help="record_result: tindakan perbaikan.")
    ] = None,
    report: Annotated[
        str | None, typer.Option(help="escalate: laporan tertulis ke atasan.")
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            help="Alasan (request_apip, refuse_apip, reopen, withdraw, refer, accept_late)."
        ),
    ] = None,
    agency: Annotated[str | None, typer.Option(help="route_agency: kode perangkat daerah.")] = None,
    channel: Annotated[
        str | None, typer.Option(help="respond/inform_complainant: saluran jawaban.")
    ] = None,
    text: Annotated[str | None, typer.Option(help="Isi jawaban atau laporan.")] = None,
    sent_at: Annotated[str | None, typer.Option(help="Waktu jawaban dikirim (ISO).")] = None,
    addressee: Annotated[str | None, typer.Option(help="refer/report_to_superior: tujuan.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lakukan tindakan pada kasus / take an action of the procedure on a case."""

    def go() -> CaseDetail | TrackingView:
        fields: dict[str, Any] = {
            "note": note,
            "service_code": service,
            "problem_types": problem,
            "core_problem": core_problem,
            "plan": [_plan_step(p) for p in plan] if plan else None,
            "extra_links": link,
            "step": step,
            "outcome": outcome,
            "summary": summary,
            "corrective_actions": corrective,
            "report": report,
            "reason": reason,
            "agency": agency,
            "channel": channel,
            "text": text,
            "sent_at": _moment(sent_at, "sent_at"),
            "addressee": addressee,
        }
        payload = {k: v for k, v in fields.items() if v is not None}
        if complainant:
            return svc.act_as_complainant(_deps(), case, action, payload)
        if not as_user:
            raise InputError(
                "--as",
                "required",
                "sebutkan pengguna dengan --as atau ADUAN_USER",
                "name the staff user with --as or ADUAN_USER",
            )
        cmd = ActionCommand(case_ref=case, action=action, payload=payload, expected_version=version)
        deps = _deps()
        done = svc.perform_action(deps, cmd, as_user)
        return svc.get_case(deps, done.tracking_code, as_user)

    result = _run(go)
    if as_json:
        _print_json(result)
    elif isinstance(result, TrackingView):
        typer.echo(terminal.tracking_text(result))
    else:
        typer.echo(terminal.case_text(result))


@app.command()
def show(
    case: Annotated[str, typer.Argument()], as_user: AsUser = "", as_json: JsonOpt = False
) -> None:
    """Tampilkan kasus dengan riwayat / show a case with its timeline."""
    if not as_user:
        _fail("--as: sebutkan pengguna / name the staff user (--as or ADUAN_USER)", 2)
    detail = _run(lambda: svc.get_case(_deps(), case, as_user))
    _print_json(detail) if as_json else typer.echo(terminal.case_text(detail))


@app.command()
def track(
    code: Annotated[str, typer.Argument(help="Kode pelacakan.")], as_json: JsonOpt = False
) -> None:
    """Lacak kasus tanpa akun / public tracking by tracking code."""
    view = _run(lambda: svc.track_case(_deps(), code))
    _print_json(view) if as_json else typer.echo(terminal.tracking_text(view))


@app.command("list")
def list_cases(
    status: Annotated[Status | None, typer.Option()] = None,
    kind: Annotated[Kind | None, typer.Option()] = None,
    track: Annotated[Track | None, typer.Option()] = None,
    assignee: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    after: Annotated[int | None, typer.Option(help="Halaman berikut: id terakhir.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Hanya yang lewat tenggat.")] = False,
    due_within: Annotated[
        int | None, typer.Option(min=0, help="Tenggat dalam N hari kerja / due within N days.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar kasus / list cases with filters; --overdue and --due-within sort by deadline."""
    due_before = _run(lambda: _due_before(overdue, due_within))
    query = CaseQuery(
        status=status,
        kind=kind,
        track=track,
        assignee=assignee,
        limit=limit,
        after_id=after,
        due_before=due_before,
    )
    rows = _run(lambda: svc.list_cases(_deps(), query))
    _print_json(rows) if as_json else typer.echo(terminal.rows_text(rows))


def _due_before(overdue: bool, due_within: int | None) -> datetime | None:
    deps = _deps()
    now = deps.clock.now()
    if overdue:
        return now
    if due_within is None:
        return None
    if due_within == 0:
        return datetime.combine(now.astimezone(WIB).date(), time(23, 59, 59), WIB)
    return timekeeping.calendar(deps).response_due_at(now, due_within)


@app.command()
def sweep(
    now: Annotated[str | None, typer.Option(help="Waktu sapuan (ISO); default sekarang.")] = None,
    batch: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Jalankan sapuan tenggat sekali / ring every reminder and breach that is due, once."""
    report = _run(lambda: timekeeping.sweep(_deps(), _moment(now, "now"), batch))
    if as_json:
        typer.echo(
            json.dumps({"now": report.now.isoformat(), "batches": report.batches, **report.counts})
        )
        return
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "tidak ada/none"
    typer.echo(f"sapuan/sweep {terminal.when(report.now)}: {counts}")


@app.command()
def scheduler(
    interval: Annotated[float, typer.Option(min=1.0, help="Detik antar sapuan.")] = 60.0,
) -> None:
    """Jalankan penjadwal / run the deadline sweep and the notification dispatcher."""
    from aduan.jobs.scheduler import run_forever

    deps, settings = _deps(), _state["settings"]
    run_forever(
        deps,
        interval,
        dispatcher=bootstrap.build_dispatcher(deps, settings),
        dispatch_seconds=settings.notify.interval_seconds,
        retention_days=settings.notify.retention_days,
    )


@calendar_app.command("due")
def calendar_due(
    received: Annotated[str, typer.Argument(help="Tanggal diterima (YYYY-MM-DD).")],
    working_days: Annotated[int, typer.Option("--working-days")] = 14,
) -> None:
    """Tenggat jawaban untuk pengaduan yang diterima pada tanggal itu / the answer deadline."""
    due = _run(lambda: timekeeping.due_date(_deps(), _day(received, "date"), working_days))
    typer.echo(f"{received} + {working_days} hari kerja → {terminal.when(due)}")


@calendar_app.command("show")
def calendar_show(year: Annotated[int, typer.Argument()], as_json: JsonOpt = False) -> None:
    """Hari libur dan cuti bersama / non-working days of a year with names and sources."""
    days = _run(lambda: timekeeping.non_working_days(_deps(), year))
    if as_json:
        rows = [{"on": d.on.isoformat(), "name_id": d.name_id, "name_en": d.name_en,
                 "source": d.source, "estimated": d.estimated} for d in days]  # fmt: skip
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for d in days:
        mark = " (perkiraan/estimated)" if d.estimated else ""
        typer.echo(f"{d.on} {d.on.strftime('%a')}  {d.source:<12} {d.name_id} / {d.name_en}{mark}")


def _print_moves(message: str | None, moves: list[timekeeping.DeadlineMove]) -> None:
    if message:
        typer.echo(message)
    typer.echo(f"tenggat bergeser/deadlines moved: {len(moves)}")
    for m in moves:
        moved = f"{terminal.when(m.before)} → {terminal.when(m.after)}"
        typer.echo(f"  {m.tracking_code} {m.kind.value}: {moved}")


@calendar_app.command("add")
def calendar_add(
    on: Annotated[str, typer.Argument(help="Tanggal (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option(help="Alasan / reason (e.g. the decree).")],
    working: Annotated[bool, typer.Option("--working", help="Jadikan hari kerja.")] = False,
    as_user: AsUser = "",
) -> None:
    """Tambah libur daerah, keputusan terlambat, atau koreksi / add a calendar override."""

    def go() -> tuple[str | None, list[timekeeping.DeadlineMove]]:
        if not reason.strip():
            raise InputError("--reason", "required", "alasan wajib diisi", "a reason is required")
        user = as_user or "admin"
        override = Override(
            _day(on, "date"), "working" if working else "holiday", reason.strip(), user
        )
        return timekeeping.set_override(_deps(), override)

    _print_moves(*_run(go))


@calendar_app.command("remove")
def calendar_remove(on: Annotated[str, typer.Argument(help="Tanggal (YYYY-MM-DD).")]) -> None:
    """Hapus pengecualian kalender / remove an override."""
    _print_moves(*_run(lambda: timekeeping.set_override(_deps(), _day(on, "date"), remove=True)))


@catalog_app.command("list")
def catalog_list(as_json: JsonOpt = False) -> None:
    """Daftar layanan / list services."""
    rows = _run(lambda: svc.list_services(_deps()))
    if as_json:
        _print_json(rows)
        return
    for s in rows:
        typer.echo(
            f"{s.code}  {s.licence_type} ({s.risk_level})  {s.title}; "
            f"{s.completion_days} hari kerja; {s.fee}"
        )


@catalog_app.command("load")
def catalog_load(
    file: Annotated[Path | None, typer.Argument(help="TOML; default: katalog bawaan.")] = None,
) -> None:
    """Tambah atau ganti layanan dari berkas / add or replace services from a file."""
    rows = _run(lambda: svc.load_catalog(_deps(), file))
    typer.echo(f"{len(rows)} layanan dimuat/services loaded: {', '.join(s.code for s in rows)}")


catalog_app.command("add", help="Sama dengan load: tambah layanan dari berkas TOML.")(catalog_load)


@org_app.command("show")
def org_show(as_json: JsonOpt = False) -> None:
    """Tampilkan struktur dan rantai jenjang / show units and their tier chains."""
    chart = _run(lambda: svc.show_orgchart(_deps()))
    if as_json:
        chains = {code: [_level(level) for level in chart.chain(code)] for code in chart.units}
        typer.echo(json.dumps(chains, indent=2, ensure_ascii=False))
        return
    for unit in chart.units.values():
        typer.echo(f"{unit.code} ({unit.kind}): {unit.name}")
        for i, level in enumerate(chart.chain(unit.code), 1):
            typer.echo(
                f"  {i}. {level.title} [{level.position}] — {level.holder or '(kosong/vacant)'}"
            )


def _level(level: Any) -> dict[str, Any]:
    return {
        "position": level.position,
        "title": level.title,
        "unit": level.unit,
        "holder": level.holder,
    }


@org_app.command("load")
def org_load(
    file: Annotated[Path | None, typer.Argument(help="TOML; default: struktur contoh.")] = None,
) -> None:
    """Ganti struktur organisasi dari berkas / replace the chart from a file."""
    chart = _run(lambda: svc.load_org(_deps(), file))
    typer.echo(
        f"struktur dimuat/chart loaded: {len(chart.units)} unit, "
        f"{len(chart.positions)} jabatan, {len(chart.users)} pengguna"
    )


@users_app.command("list")
def users_list(as_json: JsonOpt = False) -> None:
    """Daftar pengguna / list staff users."""
    chart = _run(lambda: svc.show_orgchart(_deps()))
    users = sorted(chart.users.values(), key=lambda u: u.username)
    if as_json:
        _print_json(users)
        return
    for u in users:
        title = chart.positions[u.position].title if u.position else "-"
        typer.echo(
            f"{u.username:<10} {u.role.value:<15} {title}  ({u.full_name})"
            + ("" if u.active else " [nonaktif]")
        )


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument()],
    full_name: Annotated[str, typer.Option("--name")],
    role: Annotated[Role, typer.Option()],
    position: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    nip: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Tambah atau ubah pengguna / add or update a staff user."""
    _run(
        lambda: svc.add_user(
            _deps(),
            StaffUser(
                username=username,
                full_name=full_name,
                role=role,
                position=position,
                email=email,
                nip=nip,
            ),
        )
    )
    typer.echo(f"pengguna disimpan/user saved: {username} ({role.value})")


web_cli.register(app, users_app, lambda: _state["settings"])
cli_notify.register(app, _deps, lambda: _state["settings"], _run)


app.add_typer(reports_cli.make_app(_deps, _errors), name="report")


def main() -> None:
    """Console entry point."""
    app(prog_name="aduan")


if __name__ == "__main__":  # pragma: no cover
    main()
