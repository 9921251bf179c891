"""Settings from the environment (``ADUAN_*``), with defaults that run on a laptop."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from aduan.workflow.errors import InputError
from aduan.workflow.states import N_

DEFAULT_DATABASE_URL = "sqlite:///aduan.db"
DEFAULT_REOPEN_WINDOW_DAYS = 14
# How long a withdrawal may be undone, by the complainant or an officer (issue 12 item 4).
# Three days: a complaint withdrawn on a Friday afternoon, in haste or by an officer's mistake,
# can still be taken back on Monday morning once the complainant has read the notice; and it
# stays short beside the 14 working days of the answer, which keeps running meanwhile.
DEFAULT_WITHDRAW_UNDO_HOURS = 72
DEFAULT_SMTP_FROM = "Aduan DPMPTSP <aduan@localhost>"
# The largest request body accepted (bytes). The largest legitimate one is a complaint: a
# 20,000-character description is at most ~240 KB form-encoded; 2 MiB leaves room.
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
# A complainant's personal data is erased this many years after the case ended (issue 14
# item 1): long enough for the yearly evaluations of the service standard, the inspectorate's
# (APIP) and the audit board's look back at past handling, and a repeat complaint by the same
# person; short of keeping it for ever, which UU 27/2022 on personal data protection forbids.
# An office sets its own archive schedule (Jadwal Retensi Arsip) in ADUAN_RETENTION_YEARS.
DEFAULT_RETENTION_YEARS = 5


@dataclass(frozen=True, slots=True)
class Office:
    """The letterhead (kop surat) of printed documents: ``ADUAN_OFFICE_*``."""

    parent: str = "PEMERINTAH KABUPATEN PURWAKARTA"
    name: str = "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU"
    address: str = (
        "Jalan Veteran Nomor 139, Kelurahan Nagrikaler, Kec. Purwakarta, "
        "Kabupaten Purwakarta, Jawa Barat 41115"
    )
    phone: str = "(0264) 8224794 ext.103"
    email: str = "pengaduanptsp139@gmail.com"
    website: str = "www.dpmptsp.purwakartakab.go.id"
    city: str = "Purwakarta"  # where documents are signed
    hours: str = "Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WIB"  # shown on the home page


def _office(env: Mapping[str, str]) -> Office:
    names = ("parent", "name", "address", "phone", "email", "website", "city", "hours")
    given = {
        n: env[f"ADUAN_OFFICE_{n.upper()}"] for n in names if f"ADUAN_OFFICE_{n.upper()}" in env
    }
    return Office(**given)


LEASE_PER_TIMEOUT = 12  # a dispatcher's lease lasts at least this many channel timeouts


@dataclass(frozen=True, slots=True)
class Notify:
    """Delivery of notifications (``ADUAN_NOTIFY_*``, ``ADUAN_SMTP_*``, ``ADUAN_*_WEBHOOK_URL``)."""

    language: str = "id"  # "id" (Bahasa Indonesia) or "en"
    smtp_host: str | None = None  # no host: email is not configured and dead-letters
    smtp_port: int = 25
    smtp_security: str = "none"  # "none" | "starttls" | "tls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = DEFAULT_SMTP_FROM
    smtp_ca_file: str | None = None  # a CA to trust for the mail server's certificate
    # Where replies to emailed notices go (the mailbox ``ADUAN_IMAP_*`` reads; issue 14 item 5),
    # tagged ``local+token@`` with the notice's reply token when the server delivers those.
    smtp_reply_to: str | None = None
    smtp_reply_to_token: bool = False
    sms_webhook_url: str | None = None
    whatsapp_webhook_url: str | None = None
    webhook_secret: str = ""
    timeout_seconds: int = 10
    letter_dir: str = "letters"  # print-ready letters for complainants without email/phone
    max_attempts: int = 0  # 0: no limit; a failing message is retried for retry_hours
    backoff_seconds: int = 30  # the wait after the first failure; doubles each time
    backoff_cap_seconds: int = 900  # ... up to this: a server back is used within 15 minutes
    retry_hours: int = 168  # a message failing for a passing reason is retried this long
    stall_minutes: int = 15  # /healthz calls a channel stalled when a message waits longer
    retention_days: int = 90  # delivered payloads are purged after this
    interval_seconds: int = 10  # how often the dispatcher looks for work
    batch_size: int = 50  # rows leased per round
    lease_seconds: int = 600  # a leased row another dispatcher may take after this

    @property
    def channel_timeout(self) -> float:
        """The channels' timeout, shortened when needed so one message ends well inside a lease.

        One message may take a few timeouts (connect, greeting, login, each command; the SMTP
        channel cuts it at three) and the dispatcher renews its lease every quarter of it.
        """
        return min(float(self.timeout_seconds), self.lease_seconds / LEASE_PER_TIMEOUT)


@dataclass(frozen=True, slots=True)
class Attachments:
    """Evidence files (lampiran, issue 14 item 1): ``ADUAN_FILES_DIR``, ``ADUAN_ATTACHMENT_*``."""

    files_dir: str = ""  # content-addressed store; empty: ``files`` beside the SQLite database
    max_bytes: int = 10 * 1024 * 1024  # one file, as stored (bytes)
    max_files: int = 5  # files in one submission or upload
    max_per_case: int = 30  # files on one case, all uploads together
    max_pixels: int = 40_000_000  # an image larger than this is refused, never decoded

    @property
    def body_bytes(self) -> int:
        """The largest multipart request body: ``max_files`` full files and some room."""
        return self.max_files * self.max_bytes + DEFAULT_MAX_BODY_BYTES


def files_dir(attachments: Attachments, database_url: str) -> str:
    """``ADUAN_FILES_DIR``, else ``files`` beside a SQLite database file, else ``./files``."""
    if attachments.files_dir:
        return attachments.files_dir
    prefix = "sqlite:///"
    path = database_url[len(prefix) :] if database_url.startswith(prefix) else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        return os.path.join(os.path.dirname(path) or ".", "files")
    return "files"


def _attachments(env: Mapping[str, str]) -> Attachments:
    d = Attachments()
    return Attachments(
        files_dir=env.get("ADUAN_FILES_DIR", ""),
        max_bytes=max(1, _int(env, "ADUAN_ATTACHMENT_MAX_BYTES", d.max_bytes)),
        max_files=max(1, _int(env, "ADUAN_ATTACHMENT_MAX_FILES", d.max_files)),
        max_per_case=max(1, _int(env, "ADUAN_ATTACHMENT_MAX_PER_CASE", d.max_per_case)),
        max_pixels=max(1, _int(env, "ADUAN_ATTACHMENT_MAX_PIXELS", d.max_pixels)),
    )


@dataclass(frozen=True, slots=True)
class Inbound:
    """The office's mailbox read for replies by email (``ADUAN_IMAP_*``, issue 14 item 5).

    No host: nothing is read (and notices do not invite a reply by email).
    """

    host: str | None = None
    port: int = 993
    username: str = ""
    password: str = ""
    folder: str = "INBOX"
    ssl: bool = True  # TLS from the start; else plain, or STARTTLS with ``starttls``
    starttls: bool = False
    ca_file: str | None = None
    done_folder: str | None = None  # handled messages are moved here; else only marked seen
    interval_seconds: int = 60
    batch_size: int = 50
    timeout_seconds: int = 30
    max_bytes: int = 25 * 1024 * 1024  # a larger message is filed for staff unread


DEFAULT_IMAP_MAX_BYTES = Inbound().max_bytes


def _inbound(env: Mapping[str, str]) -> Inbound:
    tls = _flag(env, "ADUAN_IMAP_SSL", True)
    return Inbound(
        host=env.get("ADUAN_IMAP_HOST") or None,
        port=_int(env, "ADUAN_IMAP_PORT", 993 if tls else 143),
        username=env.get("ADUAN_IMAP_USER", ""),
        password=env.get("ADUAN_IMAP_PASSWORD", ""),
        folder=env.get("ADUAN_IMAP_FOLDER") or "INBOX",
        ssl=tls,
        starttls=_flag(env, "ADUAN_IMAP_STARTTLS", False),
        ca_file=env.get("ADUAN_IMAP_CA_FILE") or None,
        done_folder=env.get("ADUAN_IMAP_DONE_FOLDER") or None,
        interval_seconds=max(1, _int(env, "ADUAN_IMAP_INTERVAL_SECONDS", 60)),
        batch_size=max(1, _int(env, "ADUAN_IMAP_BATCH_SIZE", 50)),
        timeout_seconds=max(1, _int(env, "ADUAN_IMAP_TIMEOUT_SECONDS", 30)),
        max_bytes=max(1, _int(env, "ADUAN_IMAP_MAX_BYTES", DEFAULT_IMAP_MAX_BYTES)),
    )


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in ("1", "0", "true", "false", "yes", "no"):
        raise InputError(name, "boolean", N_("pilih 1 atau 0: %(raw)r"), raw=raw)
    return value in ("1", "true", "yes")


def _notify(env: Mapping[str, str]) -> Notify:
    language = env.get("ADUAN_NOTIFY_LANGUAGE", "id")
    security = env.get("ADUAN_SMTP_SECURITY", "none")
    for name, value, choices in (
        ("ADUAN_NOTIFY_LANGUAGE", language, ("id", "en")),
        ("ADUAN_SMTP_SECURITY", security, ("none", "starttls", "tls")),
    ):
        if value not in choices:
            raise InputError(name, "one_of", N_("pilih %(choices)s"), choices=" / ".join(choices))
    return Notify(
        language=language,
        smtp_host=env.get("ADUAN_SMTP_HOST") or None,
        smtp_port=_int(env, "ADUAN_SMTP_PORT", 25),
        smtp_security=security,
        smtp_username=env.get("ADUAN_SMTP_USERNAME") or None,
        smtp_password=env.get("ADUAN_SMTP_PASSWORD") or None,
        smtp_from=env.get("ADUAN_SMTP_FROM", DEFAULT_SMTP_FROM),
        smtp_ca_file=env.get("ADUAN_SMTP_CA_FILE") or None,
        smtp_reply_to=env.get("ADUAN_SMTP_REPLY_TO") or None,
        smtp_reply_to_token=_flag(env, "ADUAN_SMTP_REPLY_TO_TOKEN", False),
        sms_webhook_url=env.get("ADUAN_SMS_WEBHOOK_URL") or None,
        whatsapp_webhook_url=env.get("ADUAN_WHATSAPP_WEBHOOK_URL") or None,
        webhook_secret=env.get("ADUAN_WEBHOOK_SECRET", ""),
        timeout_seconds=_int(env, "ADUAN_NOTIFY_TIMEOUT_SECONDS", 10),
        letter_dir=env.get("ADUAN_LETTER_DIR", "letters"),
        max_attempts=_int(env, "ADUAN_NOTIFY_MAX_ATTEMPTS", 0),
        backoff_seconds=_int(env, "ADUAN_NOTIFY_BACKOFF_SECONDS", 30),
        backoff_cap_seconds=max(1, _int(env, "ADUAN_NOTIFY_BACKOFF_CAP_SECONDS", 900)),
        retry_hours=max(1, _int(env, "ADUAN_NOTIFY_RETRY_HOURS", 168)),
        stall_minutes=max(1, _int(env, "ADUAN_NOTIFY_STALL_MINUTES", 15)),
        retention_days=_int(env, "ADUAN_OUTBOX_RETENTION_DAYS", 90),
        interval_seconds=max(1, _int(env, "ADUAN_NOTIFY_INTERVAL_SECONDS", 10)),
        batch_size=max(1, _int(env, "ADUAN_NOTIFY_BATCH_SIZE", 50)),
        lease_seconds=max(1, _int(env, "ADUAN_NOTIFY_LEASE_SECONDS", 600)),
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything an operator may set; see README for the variables."""

    database_url: str = DEFAULT_DATABASE_URL
    # SQLite: writers queued behind a commit join it, one fsync for all (sql/group_commit.py)
    group_commit: bool = False
    reopen_window_days: int = DEFAULT_REOPEN_WINDOW_DAYS
    withdraw_undo_hours: int = DEFAULT_WITHDRAW_UNDO_HOURS
    log_format: str = "console"  # "console" for people, "json" for log collectors
    log_level: str = "info"
    reminders_before: tuple[int, ...] = (3, 1)  # working days before a deadline
    office: Office = field(default_factory=Office)  # letterhead of documents
    public_url: str = "http://localhost:8000"  # where the public pages (survey form) live
    notify: Notify = field(default_factory=Notify)  # notification delivery
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # larger request bodies get 413
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or CIDRs);
    # none by default: the caller's address is the connection's (issue 17).
    trusted_proxies: tuple[str, ...] = ()
    intake_per_device: int = 10  # public submissions per device (cookie) and hour …
    intake_per_address: int = 30  # … and per address; listed addresses: their allowance
    auth_retention_days: int = 365  # sign-in entries of the login audit are deleted after this
    # Years after a case ended that its complainant's personal data is erased (0: never).
    retention_years: int = DEFAULT_RETENTION_YEARS
    attachments: Attachments = field(default_factory=Attachments)  # evidence files
    # Issue 14 item 5: working days a paused answer clock waits for the complainant's reply,
    # and the most working days extensions of the answer deadline may add in all.
    info_wait_days: int = 10
    extension_max_days: int = 14
    inbound: Inbound = field(default_factory=Inbound)  # replies by email (ADUAN_IMAP_*)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise InputError(
            name,
            "non_negative_int",
            N_("harus bilangan bulat ≥ 0: %(raw)r"),
            raw=raw,
        )
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the ``ADUAN_*`` variables (see README, Configuration)."""
    env = os.environ if env is None else env
    log_format = env.get("ADUAN_LOG_FORMAT", "console")
    if log_format not in ("console", "json"):
        raise InputError("ADUAN_LOG_FORMAT", "one_of", N_("pilih console atau json"))
    return Settings(
        database_url=env.get("ADUAN_DATABASE_URL", DEFAULT_DATABASE_URL),
        group_commit=_int(env, "ADUAN_SQLITE_GROUP_COMMIT", 0) > 0,
        reopen_window_days=_int(env, "ADUAN_REOPEN_WINDOW_DAYS", DEFAULT_REOPEN_WINDOW_DAYS),
        withdraw_undo_hours=_int(env, "ADUAN_WITHDRAW_UNDO_HOURS", DEFAULT_WITHDRAW_UNDO_HOURS),
        log_format=log_format,
        log_level=env.get("ADUAN_LOG_LEVEL", "info").lower(),
        reminders_before=_days(env.get("ADUAN_REMINDERS_BEFORE", "3,1")),
        office=_office(env),
        public_url=env.get("ADUAN_PUBLIC_URL", "http://localhost:8000"),
        notify=_notify(env),
        max_body_bytes=_int(env, "ADUAN_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        trusted_proxies=_networks(env.get("ADUAN_TRUSTED_PROXIES", "")),
        intake_per_device=max(1, _int(env, "ADUAN_INTAKE_PER_DEVICE", 10)),
        intake_per_address=max(1, _int(env, "ADUAN_INTAKE_PER_ADDRESS", 30)),
        auth_retention_days=max(1, _int(env, "ADUAN_AUTH_RETENTION_DAYS", 365)),
        retention_years=_int(env, "ADUAN_RETENTION_YEARS", DEFAULT_RETENTION_YEARS),
        attachments=_attachments(env),
        info_wait_days=max(1, _int(env, "ADUAN_INFO_WAIT_DAYS", 10)),
        extension_max_days=max(0, _int(env, "ADUAN_EXTENSION_MAX_DAYS", 14)),
        inbound=_inbound(env),
    )


def _networks(raw: str) -> tuple[str, ...]:
    """Comma-separated addresses or CIDRs (``ADUAN_TRUSTED_PROXIES``), normalised."""
    found: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            found.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise InputError(
                "ADUAN_TRUSTED_PROXIES",
                "cidr_list",
                N_("daftar alamat/CIDR dipisah koma, mis. 10.0.0.5,10.1.0.0/16: %(raw)r"),
                raw=part,
            ) from None
    return tuple(found)


def _days(raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise InputError(
            "ADUAN_REMINDERS_BEFORE",
            "comma_separated_ints",
            N_("daftar hari kerja dipisah koma, mis. 3,1: %(raw)r"),
            raw=raw,
        ) from None
