"""Commands on cases: submit, show, track, list, suggestions (``act`` is in ``act.py``)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import typer

from aduan import service as svc
from aduan.cli import common, terminal
from aduan.ports import CaseQuery
from aduan.schemas.commands import ChannelFactsInput, ComplainantInput, SubmitCommand
from aduan.schemas.views import CaseDetail
from aduan.service import timekeeping
from aduan.workflow.intake import WIB
from aduan.workflow.states import Channel, Kind, ScreeningReason, Status, Track


@common.commands.command()
def submit(
    channel: Annotated[Channel, typer.Option(help="Saluran / intake channel.")],
    subject: Annotated[str, typer.Option(help="Perihal / subject line.")],
    service_date: Annotated[
        str | None,
        typer.Option(help="Tanggal menerima layanan (YYYY-MM-DD); tidak untuk --pending."),
    ] = None,
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
    pending: Annotated[
        bool,
        typer.Option(
            "--pending", help="Layanan belum terbit/belum selesai / service not yet delivered."
        ),
    ] = False,
    applied_on: Annotated[
        str | None, typer.Option(help="Tanggal permohonan (YYYY-MM-DD), dengan --pending.")
    ] = None,
    dropped_on: Annotated[
        str | None, typer.Option(help="Kotak Pengaduan: tanggal surat dimasukkan ke kotak.")
    ] = None,
    letter_number: Annotated[str | None, typer.Option(help="Surat: nomor surat.")] = None,
    letter_date: Annotated[str | None, typer.Option(help="Surat: tanggal surat.")] = None,
    postmarked_on: Annotated[str | None, typer.Option(help="Surat: tanggal cap pos.")] = None,
    handle: Annotated[
        str | None, typer.Option(help="Twitter/Instagram: akun pengirim (@nama).")
    ] = None,
    lapor_id: Annotated[str | None, typer.Option(help="SP4N-LAPOR!: nomor tiket.")] = None,
    lapor_received_on: Annotated[
        str | None, typer.Option(help="SP4N-LAPOR!: tanggal LAPOR! menerima pengaduan.")
    ] = None,
    complained_at: Annotated[
        str | None,
        typer.Option(
            help="Waktu pengaduan dibuat (ISO; tanpa zona = WIB); untuk surat, kotak dan "
            "LAPOR! diambil dari tanggalnya."
        ),
    ] = None,
    received_at: Annotated[
        str | None, typer.Option(help="Waktu diterima kantor (ISO; default sekarang).")
    ] = None,
    concern: Annotated[
        list[str] | None,
        typer.Option("--concern", help="Staf terlapor (boleh berulang) / staff concerned."),
    ] = None,
    concern_reason: Annotated[
        str, typer.Option("--concern-reason", help="Alasan mencatat terlapor / why.")
    ] = "",
    qa_consent: Annotated[
        bool,
        typer.Option(
            "--qa-consent",
            help="Pelapor setuju tanya jawab diterbitkan tanpa identitasnya / consents to a "
            "public Q&A.",
        ),
    ] = False,
    as_user: common.AsUser = "",
    as_json: common.JsonOpt = False,
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
            service_pending=pending,
            applied_on=_day(applied_on, "applied_on"),
            channel_facts=ChannelFactsInput(
                dropped_on=_day(dropped_on, "channel_facts.dropped_on"),
                letter_number=letter_number,
                letter_date=_day(letter_date, "channel_facts.letter_date"),
                postmarked_on=_day(postmarked_on, "channel_facts.postmarked_on"),
                social_handle=handle,
                lapor_id=lapor_id,
                lapor_received_on=_day(lapor_received_on, "channel_facts.lapor_received_on"),
            ),
            complained_at=common.moment(complained_at, "complained_at"),
            received_at=common.moment(received_at, "received_at"),
            qa_consent=qa_consent,
        )
        return svc.submit_complaint(
            common.deps(),
            cmd,
            as_user or None,
            concerned=concern or [],
            concerned_reason=concern_reason,
        )

    case = common.run(go)
    if as_json:
        common.print_json(case)
        return
    typer.echo(f"kode pelacakan/tracking code: {case.tracking_code}")
    if case.kind == Kind.SUGGESTION.value:
        typer.echo(f"dicatat sebagai saran/recorded as a suggestion: {case.screening_reason}")
    typer.echo(terminal.case_text(case))


def _day(text: str | None, field: str) -> date | None:
    return None if text is None else common.day(text, field)


@common.commands.command()
def show(
    case: Annotated[str, typer.Argument()],
    as_user: common.AsUser = "",
    as_json: common.JsonOpt = False,
) -> None:
    """Tampilkan kasus dengan riwayat / show a case with its timeline."""
    if not as_user:
        common.fail("--as: sebutkan pengguna / name the staff user (--as or ADUAN_USER)", 2)
    detail = common.run(lambda: svc.get_case(common.deps(), case, as_user))
    common.print_json(detail) if as_json else typer.echo(terminal.case_text(detail))


@common.commands.command()
def track(
    code: Annotated[str, typer.Argument(help="Kode pelacakan.")], as_json: common.JsonOpt = False
) -> None:
    """Lacak kasus tanpa akun / public tracking by tracking code."""
    view = common.run(lambda: svc.track_case(common.deps(), code))
    common.print_json(view) if as_json else typer.echo(terminal.tracking_text(view))


@common.commands.command("list")
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
    as_user: common.AsUser = "",
    as_json: common.JsonOpt = False,
) -> None:
    """Daftar kasus / list cases with filters; --overdue and --due-within sort by deadline."""
    if not as_user:  # the list is the cases this user may see (DESIGN §6)
        common.fail("--as: sebutkan pengguna / name the staff user (--as or ADUAN_USER)", 2)
    due_before = common.run(lambda: _due_before(overdue, due_within))
    query = CaseQuery(
        status=status,
        kind=kind,
        track=track,
        assignee=assignee,
        limit=limit,
        after_id=after,
        due_before=due_before,
    )
    rows = common.run(lambda: svc.list_cases(common.deps(), query, as_user))
    common.print_json(rows) if as_json else typer.echo(terminal.rows_text(rows))


def _due_before(overdue: bool, due_within: int | None) -> datetime | None:
    deps = common.deps()
    now = deps.clock.now()
    if overdue:
        return now
    if due_within is None:
        return None
    if due_within == 0:
        return datetime.combine(now.astimezone(WIB).date(), time(23, 59, 59), WIB)
    return timekeeping.calendar(deps).response_due_at(now, due_within)


@common.commands.command("suggestions")
def suggestion_queue(
    reason: Annotated[
        ScreeningReason | None, typer.Option(help="Alasan dicatat sebagai saran / reason.")
    ] = None,
    service: Annotated[
        str | None, typer.Option(help="Kode layanan dari katalog / service code.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 200,
    as_user: common.AsUser = "",
    as_json: common.JsonOpt = False,
) -> None:
    """Saran/masukan yang menunggu / suggestions waiting for the complaint staff."""
    if not as_user:  # the queue is the suggestions this user may see (DESIGN §6)
        common.fail("--as: sebutkan pengguna / name the staff user (--as or ADUAN_USER)", 2)
    items = common.run(lambda: svc.suggestion_queue(common.deps(), as_user, reason, service, limit))
    if as_json:
        common.print_json(items)
        return
    if not items:
        typer.echo("(tidak ada saran / no suggestions waiting)")
    for item in items:
        c = item.case
        typer.echo(
            f"{c.tracking_code}  #{c.id:<5} {c.status:<23} {c.screening_reason or '-':<11} "
            f"{c.service_code or '-':<8} {c.assignee or '-':<8} {c.subject}"
        )
