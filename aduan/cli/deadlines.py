"""Commands of time: the deadline sweep, the scheduler and the working-day calendar."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from aduan import bootstrap
from aduan.cli import common, terminal
from aduan.escalation.calendar import Override
from aduan.service import timekeeping
from aduan.workflow.errors import InputError
from aduan.workflow.states import N_


@common.commands.command()
def sweep(
    now: Annotated[str | None, typer.Option(help="Waktu sapuan (ISO); default sekarang.")] = None,
    batch: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    as_json: common.JsonOpt = False,
) -> None:
    """Jalankan sapuan tenggat sekali / ring every reminder and breach that is due, once."""
    report = common.run(lambda: timekeeping.sweep(common.deps(), common.moment(now, "now"), batch))
    if as_json:
        typer.echo(
            json.dumps({"now": report.now.isoformat(), "batches": report.batches, **report.counts})
        )
        return
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "tidak ada/none"
    typer.echo(f"sapuan/sweep {terminal.when(report.now)}: {counts}")


@common.commands.command()
def scheduler(
    interval: Annotated[float, typer.Option(min=1.0, help="Detik antar sapuan.")] = 60.0,
) -> None:
    """Jalankan penjadwal / run the deadline sweep and the notification dispatcher."""
    from aduan.jobs.scheduler import run_forever

    deps, settings = common.deps(), common.settings()
    run_forever(
        deps,
        interval,
        dispatcher=bootstrap.build_dispatcher(deps, settings),
        dispatch_seconds=settings.notify.interval_seconds,
        retention_days=settings.notify.retention_days,
        auth_retention_days=settings.auth_retention_days,
        retention_years=settings.retention_years,
        mail=bootstrap.build_mail_polling(settings),
    )


@common.calendar_app.command("due")
def calendar_due(
    received: Annotated[str, typer.Argument(help="Tanggal diterima (YYYY-MM-DD).")],
    working_days: Annotated[int, typer.Option("--working-days")] = 14,
) -> None:
    """Tenggat jawaban untuk pengaduan yang diterima pada tanggal itu / the answer deadline."""
    due = common.run(
        lambda: timekeeping.due_date(common.deps(), common.day(received, "date"), working_days)
    )
    typer.echo(f"{received} + {working_days} hari kerja → {terminal.when(due)}")


@common.calendar_app.command("show")
def calendar_show(year: Annotated[int, typer.Argument()], as_json: common.JsonOpt = False) -> None:
    """Hari libur dan cuti bersama / non-working days of a year with names and sources."""
    days = common.run(lambda: timekeeping.non_working_days(common.deps(), year))
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


@common.calendar_app.command("add")
def calendar_add(
    on: Annotated[str, typer.Argument(help="Tanggal (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option(help="Alasan / reason (e.g. the decree).")],
    as_user: common.AsUser,
    working: Annotated[bool, typer.Option("--working", help="Jadikan hari kerja.")] = False,
) -> None:
    """Tambah libur daerah, keputusan terlambat, atau koreksi / add a calendar override."""

    def go() -> tuple[str | None, list[timekeeping.DeadlineMove]]:
        if not reason.strip():
            raise InputError("--reason", "required", N_("alasan wajib diisi"))
        override = Override(
            common.day(on, "date"), "working" if working else "holiday", reason.strip(), as_user
        )
        return timekeeping.set_override(common.deps(), override, by=as_user)

    _print_moves(*common.run(go))


@common.calendar_app.command("remove")
def calendar_remove(
    on: Annotated[str, typer.Argument(help="Tanggal (YYYY-MM-DD).")], as_user: common.AsUser
) -> None:
    """Hapus pengecualian kalender / remove an override (admin)."""
    _print_moves(
        *common.run(
            lambda: timekeeping.set_override(
                common.deps(), common.day(on, "date"), remove=True, by=as_user
            )
        )
    )
