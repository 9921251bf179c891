"""``aduan notify``: run the dispatcher, see and retry dead letters, read the staff inbox.

And ``read-mail``: read the office's mailbox once for replies by email (issue 14 item 5).
"""

from __future__ import annotations

import json
import signal
import threading
from typing import Annotated, Any

import typer

from aduan import bootstrap
from aduan.cli import common, terminal
from aduan.ports import MailboxError, OutboxEntry
from aduan.service import inbound, inbox
from aduan.workflow.errors import InputError
from aduan.workflow.states import N_


def _entry_json(e: OutboxEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "event": e.message.event,
        "channel": e.message.channel,
        "recipient": e.message.recipient,
        "case_id": e.message.case_id,
        "status": e.status,
        "attempts": e.attempts,
        "next_attempt_at": e.next_attempt_at and e.next_attempt_at.isoformat(),
        "last_error": e.last_error,
        "created_at": e.message.created_at.isoformat(),
        "sent_at": e.sent_at and e.sent_at.isoformat(),
        "read_at": e.read_at and e.read_at.isoformat(),
        "context": e.message.payload.get("context", {}),
    }


@common.notify_app.command("dispatch")
def dispatch(
    once: Annotated[
        bool, typer.Option("--once", help="Kirim yang jatuh tempo lalu berhenti / drain, exit.")
    ] = False,
    interval: Annotated[
        float | None, typer.Option(min=0.1, help="Detik antar putaran / seconds between runs.")
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """Kirim notifikasi dari outbox / deliver the outbox (until stopped, or --once)."""
    conf = common.settings()
    dispatcher = bootstrap.build_dispatcher(common.deps(), conf)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    wait = interval if interval is not None else conf.notify.interval_seconds
    total: dict[str, int] = {}
    try:
        while True:
            report = common.run(dispatcher.dispatch)
            for key, value in report.counts.items():
                total[key] = total.get(key, 0) + value
            if once or stop.wait(wait):
                break
    except KeyboardInterrupt:
        pass
    finally:
        dispatcher.close()
    if as_json:
        typer.echo(json.dumps(total))
    else:
        summary = ", ".join(f"{k} {v}" for k, v in sorted(total.items()))
        typer.echo(f"terkirim/delivered: {summary or 'tidak ada/none'}")


@common.notify_app.command("status")
def status(as_json: common.JsonOpt = False) -> None:
    """Jumlah pesan per status / messages by status (pending, sent, dead)."""
    counts: dict[str, int] = common.run(lambda: inbox.counts(common.deps().uow))
    if as_json:
        typer.echo(json.dumps(counts))
    else:
        typer.echo(", ".join(f"{k} {v}" for k, v in counts.items()))


@common.notify_app.command("failed")
def failed(
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: common.JsonOpt = False,
) -> None:
    """Pesan yang gagal terkirim / dead letters, newest first."""
    found: list[OutboxEntry] = common.run(lambda: inbox.dead_letters(common.deps().uow, limit))
    if as_json:
        typer.echo(json.dumps([_entry_json(e) for e in found], indent=2, ensure_ascii=False))
        return
    if not found:
        typer.echo("tidak ada pesan gagal / no dead letters")
    for e in found:
        typer.echo(
            f"{e.id:>6}  {e.message.event:<26} {e.message.channel:<8} "
            f"{e.attempts}x  {terminal.when(e.message.created_at)}  {e.last_error or ''}"
        )


DELIVERY_CHANNELS = ("email", "sms", "whatsapp", "letter", "in_app")


@common.notify_app.command("retry")
def retry(
    entry_id: Annotated[int | None, typer.Argument(help="ID pesan / message id.")] = None,
    all_failed: Annotated[
        bool,
        typer.Option("--all-failed", help="Semua pesan gagal / every dead letter."),
    ] = False,
    channel: Annotated[
        str | None,
        typer.Option(help="Hanya kanal ini (email, sms, whatsapp, letter) / only this channel."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Hanya yang antre sejak (ISO, WIB) / only those queued since."),
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """Kirim ulang pesan gagal / queue dead letters again: one id, or --all-failed."""
    d = common.deps()

    def bulk() -> int:
        if entry_id is not None:
            raise InputError(
                "entry_id",
                "id_or_all",
                N_("sebutkan satu ID pesan atau --all-failed, bukan keduanya"),
            )
        if channel is not None and channel not in DELIVERY_CHANNELS:
            raise InputError(
                "channel", "one_of", N_("pilih %(choices)s"), choices=" / ".join(DELIVERY_CHANNELS)
            )
        start = common.moment(since, "since")
        return inbox.retry_all(d.uow, d.clock, channel=channel, since=start)

    if all_failed:
        count: int = common.run(bulk)
        if as_json:
            typer.echo(json.dumps({"retried": count}))
        else:
            typer.echo(f"dijadwalkan ulang/queued again: {count}")
        return
    if entry_id is None or channel is not None or since is not None:
        common.run(_one_id_only)
    assert entry_id is not None
    entry: OutboxEntry = common.run(lambda: inbox.retry(d.uow, d.clock, entry_id))
    if as_json:
        typer.echo(json.dumps(_entry_json(entry), ensure_ascii=False))
    else:
        typer.echo(f"dijadwalkan ulang/queued again: {entry.id} ({entry.message.event})")


def _one_id_only() -> None:
    raise InputError(
        "entry_id",
        "id_or_all",
        N_("sebutkan satu ID pesan, atau --all-failed (dengan --channel/--since bila perlu)"),
    )


@common.notify_app.command("inbox")
def show_inbox(
    user: Annotated[str, typer.Option("--as", envvar="ADUAN_USER", help="Nama pengguna.")],
    unread: Annotated[bool, typer.Option("--unread", help="Hanya yang belum dibaca.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: common.JsonOpt = False,
) -> None:
    """Kotak masuk petugas / a staff member's in-app messages."""
    found, unread_count = common.run(
        lambda: inbox.inbox(common.deps().uow, user, unread_only=unread, limit=limit)
    )
    if as_json:
        body = {"unread": unread_count, "messages": [_entry_json(e) for e in found]}
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    typer.echo(f"belum dibaca/unread: {unread_count}")
    for e in found:
        mark = " " if e.read_at else "*"
        ctx = e.message.payload.get("context", {})
        typer.echo(
            f"{mark} {e.id:>6}  {terminal.when(e.message.created_at)}  "
            f"{ctx.get('tracking_code', '-')}  {e.message.event}"
        )


@common.notify_app.command("read")
def read(
    user: Annotated[str, typer.Option("--as", envvar="ADUAN_USER", help="Nama pengguna.")],
    ids: Annotated[list[int] | None, typer.Argument(help="ID pesan; kosong = semua.")] = None,
) -> None:
    """Tandai sudah dibaca / mark messages read (all when no id is given)."""
    d = common.deps()
    changed: int = common.run(lambda: inbox.mark_read(d.uow, d.clock, user, ids or None))
    typer.echo(f"ditandai dibaca/marked read: {changed}")


@common.notify_app.command("purge")
def purge() -> None:
    """Hapus isi pesan terkirim yang lewat masa simpan / purge old delivered payloads."""
    d, days = common.deps(), common.settings().notify.retention_days
    purged: int = common.run(lambda: inbox.purge(d.uow, d.clock, days))
    typer.echo(f"dihapus/purged: {purged} (lebih dari/older than {days} hari/days)")


@common.notify_app.command("read-mail")
def read_mail(as_json: common.JsonOpt = False) -> None:
    """Baca kotak email kantor sekali / read the office's mailbox once (replies by email).

    What the scheduler does every ``ADUAN_IMAP_INTERVAL_SECONDS``: each unseen message is
    applied, noted on its case or listed for staff, once. A way to check the settings.
    """
    mail = bootstrap.build_mail_polling(common.settings())
    if mail is None:
        common.fail("ADUAN_IMAP_HOST belum diatur / is not set: no mailbox to read", 2)
    try:
        counts = common.run(lambda: inbound.poll(common.deps(), mail.mailbox, mail.batch_size))
    except MailboxError as exc:
        common.fail(f"kotak email/mailbox: {exc}", 1)
    if as_json:
        typer.echo(json.dumps(dict(counts)))
        return
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "tidak ada/none"
    typer.echo(f"email masuk/inbound mail: {shown}")
