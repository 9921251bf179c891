"""Every port the service layer needs, in one module: repositories, unit of work, clock."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self, runtime_checkable

from aduan.catalog.orgchart import OrgChart, StaffUser
from aduan.catalog.services import Service
from aduan.catalog.templates import AnswerTemplate
from aduan.escalation.answer import AnswerDeadline as AnswerDeadline  # the compliance keys
from aduan.escalation.calendar import Override
from aduan.escalation.deadlines import Alarm, AlarmPoint, DeadlineKind
from aduan.workflow.case import Case, CaseEvent, Outcomes, RelatedRecord, WrittenReport
from aduan.workflow.search import SearchTerms
from aduan.workflow.states import Channel, Kind, ScreeningReason, Status, Track
from aduan.workflow.visibility import OFFICE_SIGHT, Sight


class TrackingCodeTakenError(Exception):
    """A new case drew a tracking code that exists already; the caller draws another."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"tracking code {code} is taken")


@dataclass(frozen=True, slots=True)
class Open311Query:
    """Which Open311 requests a GeoReport ``GET requests`` lists, all decided in the query.

    ``client``: that client's own requests; None: the public list, every request filed through
    Open311 that is not sealed (issue 16 item 5: never a staff-entered case). ``codes``: these
    ids only, in the caller's terms: tracking codes for a client, public ids for the public
    list (never a tracking code: it would open the case's answer on the tracking page).
    GeoReport says they override every other filter but the client's.
    Empty ``service_codes`` or ``statuses``: any. Newest first, ``offset``/``limit`` a page.
    """

    client: int | None
    start: datetime
    end: datetime
    codes: frozenset[str] = frozenset()
    service_codes: frozenset[str] = frozenset()
    statuses: frozenset[Status] = frozenset()
    offset: int = 0
    limit: int = 1000


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Filters of a case list; ``after_id`` pages through results in id order.

    ``sight`` is whose list it is (DESIGN §6): the adapters make it a condition of the query
    itself. The service sets it from the acting person on every read path; the default is the
    office's reach, for the system's own work (sweeps, jobs).
    """

    status: Status | None = None
    kind: Kind | None = None
    track: Track | None = None
    assignee: str | None = None
    limit: int = 50
    after_id: int | None = None
    due_before: datetime | None = None  # open cases with a deadline by then, soonest first
    open_only: bool = False  # only cases still in progress (work queues)
    unassigned: bool = False  # only cases nobody holds yet (e.g. from the public intake)
    # Only cases on which this username still owes a written report (issue 13 item 3).
    owes_report: str | None = None
    screening_reason: ScreeningReason | None = None
    service_code: str | None = None
    newest_first: bool = False  # by id descending; ``after_id`` then pages to older ids
    # With ``due_before``: the page after this (deadline, id), in deadline order.
    after_deadline: tuple[datetime, int] | None = None
    sight: Sight = OFFICE_SIGHT


@dataclass(frozen=True, slots=True)
class CaseListing:
    """A case as lists and work queues show it: a few columns, no JSON worksheet or identity.

    Lists read these instead of whole cases (``CaseRepository.summaries``): decoding every
    column of fifty cases cost more than the rest of a queue request (bench/api.py).
    """

    id: int
    tracking_code: str
    version: int
    kind: Kind
    status: Status
    screening_reason: ScreeningReason | None
    channel: Channel
    subject: str
    service_code: str | None
    track: Track | None
    assignee: str | None
    received_at: datetime
    answered_at: datetime | None
    response_due_at: datetime | None
    stage_due_at: datetime | None
    tier: int
    holder: str | None  # title of the tier level holding the case on its track, if any
    # Issue 14 item 5: the clock stands still from ``info_requested_at`` (None: it runs), and
    # the stage target counts from ``stage_started_at``; lists show a paused case as waiting.
    stage_started_at: datetime | None = None
    info_requested_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AddressedReport:
    """A written report with the case it is about, for its addressee's queue."""

    case_id: int
    tracking_code: str
    subject: str
    status: Status
    report: WrittenReport


class CaseRepository(Protocol):
    """Cases, their append-only events and their written reports."""

    def add(self, case: Case, event: CaseEvent) -> int:
        """Insert a new case with its first event; return its id.

        Raises ``TrackingCodeTakenError`` (and writes nothing) when the code exists.
        """

    def get(self, ref: str, sight: Sight = OFFICE_SIGHT) -> Case:
        """Load by tracking code or numeric id; raise ``NotFoundError``.

        A case out of ``sight`` raises the same ``NotFoundError`` as one that does not exist.
        """

    def get_as(self, ref: str, username: str, sight: Sight) -> tuple[StaffUser | None, Case | None]:
        """The staff user ``username`` and the case ``ref`` if it is in ``sight``, in one read.

        ``sight`` is what the caller expects the user's sight to be; it checks that against the
        user returned (None: no such user, and then no case either).
        """

    def save(self, case: Case, expected_version: int) -> None:
        """Write the case if its stored version is still ``expected_version``; else conflict."""

    def append(self, case_id: int, outcomes: Outcomes) -> None:
        """Append an action's event and written reports."""

    def events(self, case_id: int) -> list[CaseEvent]:
        """The audit trail, oldest first."""

    def add_unit(self, case_id: int, unit: str, at: datetime) -> None:
        """Record that the case is with ``unit`` from ``at`` on (no-op if it was before)."""

    def units(self, case_id: int) -> frozenset[str]:
        """The units the case has been with (agencies it was routed to, the inspectorate)."""

    def add_concerns(
        self, case_id: int, usernames: Sequence[str], named_by: str, at: datetime, reason: str
    ) -> list[str]:
        """Name staff the case concerns (terlapor); return those not named before, in order."""

    def concerns(self, case_id: int) -> frozenset[str]:
        """The usernames of the staff the case concerns."""

    def seal(self, case_id: int) -> None:
        """Seal the case to the Head of Office and APIP (no-op if it is sealed)."""

    def sealed(self, case_id: int) -> bool:
        """Whether the case is sealed to the Head of Office and APIP."""

    def reports(self, case_id: int) -> list[WrittenReport]:
        """Written reports, oldest first."""

    def report_count(self, case_id: int) -> int:
        """How many written reports the case has (a report is numbered after them)."""

    def find(self, query: CaseQuery) -> list[Case]:
        """Cases matching the filters, by id."""

    def summaries(self, query: CaseQuery) -> list[CaseListing]:
        """The list columns of the cases ``find`` would return, in the same order."""

    def summary_fields(self, query: CaseQuery) -> list[dict[str, Any]]:
        """``views.summary_fields`` of each case ``find`` would return, in the same order.

        What a list page shows and nothing else: the case list reads these, and validates
        them into ``CaseSummary`` objects in one pass.
        """

    def related(
        self,
        case: Case,
        limit: int = 20,
        *,
        since: datetime | None = None,
        sight: Sight | None = None,
    ) -> list[RelatedRecord]:
        """Other cases with the same contact, licence number or service (item 6c), newest first.

        ``since``: only those received from then on; ``sight``: only those the reader may see
        (the visibility policy, in the query) — the likely duplicates (issue 14 item 4).
        """

    def codes_in_sight(self, codes: Sequence[str], sight: Sight) -> set[str]:
        """Which of the tracking ``codes`` name cases in ``sight`` (one query, in the query).

        What a stored list of other cases (the worksheet's related records) may show a reader:
        a case out of their sight is not named to them, not even by its code or subject.
        """

    def duplicates_of(self, case_id: int) -> list[Case]:
        """The duplicates merged into the case ``case_id`` (issue 14 item 4), oldest first."""

    def reports_to(
        self, recipients: Sequence[str], limit: int = 50, sight: Sight = OFFICE_SIGHT
    ) -> list[AddressedReport]:
        """Written reports addressed to any of ``recipients`` (usernames or positions).

        A report matches on its addressee or on the position it was sent to; newest first.
        Only reports of cases in ``sight`` (DESIGN §6: a sealed case's reports are not on the
        desk of a reader who may not see it), and none of a case naming one of ``recipients``.
        """

    def open_with_deadlines(self) -> list[Case]:
        """Open cases under a response or stage deadline (for a calendar change)."""


@dataclass(frozen=True, slots=True)
class DueAlarm:
    """A stored alarm, as the sweep claims it."""

    id: int
    case_id: int
    kind: DeadlineKind
    point: AlarmPoint
    due_at: datetime
    fire_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A notification to deliver, written with the change that causes it."""

    idempotency_key: str
    event: str
    recipient: str
    channel: str
    payload: dict[str, Any]
    created_at: datetime
    case_id: int | None = None

    @property
    def delivery_key(self) -> str:
        """The key a receiver sees (``Message-ID``, ``Idempotency-Key``): stable per row.

        The idempotency key alone is not unique over time: after a restore from a backup the
        database numbers cases and versions again from where the backup stood, so a new
        message would carry the key (and ``Message-ID``) of one already delivered, and a
        deduplicating receiver would drop it (issue 17). The random nonce the row got when it
        was stored (:func:`with_nonce`) tells them apart; a retry of the same row keeps it.
        """
        nonce = self.payload.get(NONCE)
        return f"{self.idempotency_key}/{nonce}" if nonce else self.idempotency_key


NONCE = "nonce"  # the payload field holding a row's random nonce (``OutboxMessage.delivery_key``)


def with_nonce(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with a fresh random nonce, as an outbox stores a new row."""
    return {**payload, NONCE: secrets.token_hex(8)}


class AlarmRepository(Protocol):
    """Reminder and breach alarms: the database owns deadlines (DESIGN §4)."""

    def replace(
        self, case_id: int, kinds: frozenset[DeadlineKind], alarms: Sequence[Alarm]
    ) -> None:
        """Drop the case's pending alarms of ``kinds`` and add ``alarms``.

        An alarm whose case, kind, point and deadline are stored already (it rang) is not added.
        """

    def claim_due(self, now: datetime, limit: int) -> list[DueAlarm]:
        """Pending alarms due by ``now``, oldest first; on PostgreSQL locked, skipping locked."""

    def mark_fired(self, ids: Sequence[int], now: datetime, worker: str) -> None:
        """Record that these alarms rang (in the transaction that acted on them)."""

    def pending(self, case_id: int) -> list[DueAlarm]:
        """The case's alarms still to ring, in firing order."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A stored outbox row with its delivery state (``pending``, ``sent`` or ``dead``)."""

    id: int
    message: OutboxMessage
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None = None
    sent_at: datetime | None = None
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChannelBacklog:
    """What waits on one channel: how many rows, since when, and how often the worst one failed."""

    channel: str
    pending: int
    oldest_created_at: datetime
    most_attempts: int


class OutboxRepository(Protocol):
    """Notifications waiting for delivery, and the staff inbox (the ``in_app`` rows)."""

    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False (and nothing written) when its idempotency key exists."""

    def add_all(self, messages: Sequence[OutboxMessage]) -> None:
        """Queue each message whose idempotency key does not exist yet; answer nothing.

        What the save path uses (one statement for all the notices of a change, which need not
        reach the database before the commit: ``adapters/sql/runner.py``).
        """

    def for_recipient(self, recipient: str) -> list[OutboxMessage]:
        """Messages to one recipient, oldest first."""

    def claim(
        self,
        now: datetime,
        limit: int,
        worker: str,
        until: datetime,
        horizon: datetime | None = None,
    ) -> list[OutboxEntry]:
        """Lease up to ``limit`` pending rows due by ``now`` to ``worker`` until ``until``.

        A row leased to another worker whose lease has not run out is skipped; on PostgreSQL
        rows locked by a concurrent claim are skipped too (``FOR UPDATE SKIP LOCKED``).
        The wall clock may step back (issue 17): a lease ending more than twice its length
        (``until - now``) from now, and a row due after ``horizon`` (later than any retry
        waits), were set before the step, and count as expired and due.
        """

    def mark_sent(
        self, entry_id: int, worker: str, now: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        """Record a delivery; False when the lease was lost to another worker meanwhile.

        ``payload``: what the row keeps from now on, when it must not keep all it had (a
        delivered one-time link, ``notifications.outbox.after_delivery``).
        """

    def mark_failed(
        self, entry_id: int, worker: str, error: str, retry_at: datetime | None
    ) -> bool:
        """Record a failed attempt: retry at ``retry_at``, or dead-letter the row when None."""

    def get(self, entry_id: int) -> OutboxEntry | None:
        """One row, or None."""

    def dead(self, limit: int) -> list[OutboxEntry]:
        """Dead-lettered rows, newest first."""

    def for_case(self, case_id: int) -> list[OutboxEntry]:
        """The messages a case caused that leave Aduan (not the staff inbox), oldest first."""

    def retry(self, entry_id: int, now: datetime) -> bool:
        """Put a dead row back in the queue with fresh attempts; False when it is not dead."""

    def retry_dead(
        self, now: datetime, channel: str | None = None, since: datetime | None = None
    ) -> int:
        """Put every dead row (of ``channel``, queued at or after ``since``) back; how many."""

    def renew(self, ids: Sequence[int], worker: str, until: datetime) -> set[int]:
        """Extend ``worker``'s lease on pending rows to ``until``; the ids it still holds."""

    def backlog(self) -> list[ChannelBacklog]:
        """Pending rows by channel (for the health probe), by channel name."""

    def inbox(self, recipient: str, limit: int, unread_only: bool = False) -> list[OutboxEntry]:
        """A staff member's in-app messages, newest first."""

    def unread(self, recipient: str) -> int:
        """How many in-app messages the staff member has not read."""

    def mark_read(self, recipient: str, ids: Sequence[int] | None, now: datetime) -> int:
        """Mark some (or, with None, all) of a recipient's in-app messages read; how many."""

    def purge(self, before: datetime, now: datetime) -> int:
        """Erase payload and address of rows delivered before ``before``; how many."""

    def counts(self) -> dict[str, int]:
        """Rows by status (pending, sent, dead)."""


class CalendarRepository(Protocol):
    """The administrator's overrides of the working-day calendar."""

    def overrides(self) -> list[Override]:
        """Every override, by date."""

    def put(self, override: Override, now: datetime) -> None:
        """Add or replace the override of its date."""

    def remove(self, on: date) -> bool:
        """Remove the override of a date; False when there was none."""


class ReferenceRepository(Protocol):
    """The service catalog and the organisation chart."""

    def services(self) -> list[Service]:
        """All services by code."""

    def service(self, code: str) -> Service | None:
        """One service, or None."""

    def put_services(self, services: list[Service], now: datetime) -> None:
        """Insert or replace services by code."""

    def user(self, username: str) -> StaffUser | None:
        """One staff user, or None."""

    def orgchart(self) -> OrgChart:
        """The current chart."""

    def put_orgchart(self, chart: OrgChart) -> None:
        """Replace the chart (units, positions, users) as a whole."""

    def answer_templates(self) -> list[AnswerTemplate]:
        """The answer templates, by name."""

    def put_answer_template(self, template: AnswerTemplate, now: datetime) -> int:
        """Add (no id) or replace (by id) a template; its id."""

    def delete_answer_template(self, template_id: int) -> bool:
        """Remove a template; False when there was none."""


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A staff login session, as stored (the cookie's token only as a hash)."""

    username: str
    csrf_token: str
    client_ip: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AuthEvent:
    """One entry of the login audit: a login, a failed login, a logout, a new credential."""

    at: datetime
    event: str
    username: str
    client_ip: str
    detail: str = ""
    count: int = 1  # repeated failures and throttled attempts are kept as one entry …
    last_at: datetime | None = None  # … with the time of the last one


@dataclass(frozen=True, slots=True)
class Allowance:
    """An address range the administrator lists for a larger public allowance (issue 12).

    Each address in ``network`` (a CIDR, e.g. the MPP kiosk or the office's NAT) may send
    ``per_hour`` public submissions an hour, shared by every device behind it.
    """

    network: str
    per_hour: int
    label: str
    updated_by: str
    updated_at: datetime


class AccountRepository(Protocol):
    """Staff credentials and their use; secrets are stored only as hashes."""

    def password_hash(self, username: str) -> str | None:
        """The user's argon2 password hash, or None when no password was set."""

    def set_password_hash(self, username: str, password_hash: str, now: datetime) -> None:
        """Store (or replace) the user's password hash."""

    def has_passwords(self) -> bool:
        """Whether any user has a password yet."""

    def add_token(self, username: str, token_hash: str, label: str, now: datetime) -> None:
        """Store a new API bearer token's hash."""

    def token_user(self, token_hash: str) -> str | None:
        """The username of a bearer token that was not revoked, or None."""

    def revoke_tokens(self, username: str, now: datetime) -> int:
        """Revoke every token of a user; return how many."""

    def add_session(self, token_hash: str, session: SessionRecord) -> None:
        """Store a new login session."""

    def session(self, token_hash: str, now: datetime) -> SessionRecord | None:
        """A session that has not expired by ``now``, or None."""

    def drop_session(self, token_hash: str) -> None:
        """End one session (logout)."""

    def drop_sessions(self, username: str) -> int:
        """End every session of a user; return how many."""

    def add_client_key(self, key_hash: str, label: str, now: datetime) -> None:
        """Store a new Open311 client key's hash."""

    def client_key(self, key_hash: str) -> str | None:
        """The label of a client key that was not revoked, or None."""

    def record(self, event: AuthEvent) -> None:
        """Append an entry to the login audit."""

    def recent(self, username: str, client_ip: str, since: datetime) -> list[AuthEvent]:
        """Audit entries of one username from one address since ``since``, oldest first."""

    def audit(self, username: str) -> list[AuthEvent]:
        """Every audit entry of a username, oldest first."""

    def record_repeat(self, event: AuthEvent, since: datetime) -> None:
        """Count ``event`` into the same kind of entry (username, address) since ``since``.

        The entry's ``count`` goes up and ``last_at`` becomes ``event.at``; without one, a
        new entry is appended.
        """

    def purge_events(self, before: datetime, events: Sequence[str]) -> int:
        """Delete audit entries of the kinds ``events`` older than ``before``; how many."""

    def lock_buckets(self, buckets: Sequence[str]) -> None:
        """Hold the rate-limit ``buckets`` until the transaction ends.

        A no-op where writers already take turns (SQLite, memory).
        """

    def hits(self, bucket: str, since: datetime) -> list[tuple[datetime, int]]:
        """The hits of a rate-limit bucket per time slot from ``since`` on, oldest first."""

    def add_hit(self, bucket: str, slot: datetime, n: int = 1) -> None:
        """Add ``n`` (may be negative) to a bucket's count in the slot starting at ``slot``."""

    def clear_hits(self, bucket: str) -> None:
        """Forget every hit of a bucket."""

    def purge_hits(self, before: datetime) -> int:
        """Forget the slots that started before ``before``; how many."""

    def allowances(self) -> list[Allowance]:
        """The administrator's list of addresses with a larger public allowance."""

    def put_allowance(self, allowance: Allowance) -> None:
        """Add or replace the allowance of a network."""

    def drop_allowance(self, network: str) -> bool:
        """Remove the allowance of a network; whether there was one."""


@dataclass(frozen=True, slots=True)
class IdentityAccess:
    """One look at a complainant's identity (DESIGN §6): a reveal with its reason, or a view.

    ``reason`` is the written reason of a reveal, or ``"view"`` for a view of an identity
    shown unmasked; ``tracking_code`` is filled in when the log is read.
    """

    case_id: int
    at: datetime
    username: str
    role: str
    reason: str
    tracking_code: str = ""


@dataclass(frozen=True, slots=True)
class IntakeKey:
    """The idempotency key of a public submission, as stored (issue 12 item 4).

    ``key_hash`` is the SHA-256 of the key the form carried (unique), ``fingerprint`` that of
    what was submitted, ``pin_sealed`` the complainant's PIN sealed with the key.
    """

    key_hash: str
    case_id: int
    fingerprint: str
    pin_sealed: str
    created_at: datetime


class IdentityRepository(Protocol):
    """The append-only identity-access log, and a case's second factor and Open311 client."""

    def record(self, access: IdentityAccess) -> None:
        """Append one entry to the identity-access log."""

    def accesses(self, start: datetime, end: datetime, limit: int) -> list[IdentityAccess]:
        """Entries of ``[start, end)``, newest first, at most ``limit``."""

    def set_pin(self, case_id: int, pin_hash: str) -> None:
        """Keep the hash of the complainant's PIN of a case."""

    def pin_hash(self, case_id: int) -> str | None:
        """The PIN hash of a case (None: a case from before PINs)."""

    def claim_intake_key(self, key: IntakeKey) -> bool:
        """Keep a submission's idempotency key; False, and nothing written, when it is taken.

        Taken by a transaction not yet committed: waits for it (the database's unique index).
        """

    def intake_key(self, key_hash: str) -> IntakeKey | None:
        """The stored idempotency key, or None."""

    def client_key_id(self, key_hash: str) -> int | None:
        """The id of an Open311 client key that was not revoked, or None."""

    def set_client(self, case_id: int, client_id: int, public_id: str) -> None:
        """Record that the Open311 client ``client_id`` filed the case, and its public id."""

    def client_of(self, case_id: int) -> int | None:
        """The Open311 client that filed the case, or None."""

    def public_id_of(self, case_id: int) -> str | None:
        """The Open311 public id of the case (None: not filed through Open311)."""

    def public_request(self, public_id: str) -> str | None:
        """The tracking code of the public request with this public id, or None.

        Public: filed through Open311 and not sealed (as the public list); any other case,
        and an id that is no case's, alike None.
        """

    def open311_requests(self, query: Open311Query) -> list[dict[str, Any]]:
        """``views.summary_fields`` of the Open311 requests ``query`` selects, newest first.

        Each with ``public_id`` besides: the id the public list shows for it.
        """


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A case found by a staff search (issue 14 item 2).

    ``rank``: higher is a better match (the engines' scales differ; only the order counts);
    ``snippet``: HTML — the case's text escaped, the matched words in ``<mark>``.
    """

    case_id: int
    tracking_code: str
    subject: str
    status: Status
    rank: float
    snippet: str


class CaseSearch(Protocol):
    """Full-text search over cases: subject, description, plan, notes, reports and answers.

    The visibility policy is applied inside the query (a case out of ``sight`` is never found);
    the complainant's name and contacts are searched only when ``identity`` is true (those who
    see them unmasked). One engine behind it: SQLite FTS5 or PostgreSQL ``tsvector``.
    """

    def index(self, case: Case, texts: Sequence[str], *, new: bool = False) -> None:
        """Keep ``case``'s searchable text: at most one write per saved case (``new``: just added).

        Its facts and people as they are now; ``texts`` (the notes and written reports just
        recorded) added to its log. A save that changed neither needs no write.
        """

    def search(
        self, terms: SearchTerms, sight: Sight, limit: int = 20, *, identity: bool = False
    ) -> list[SearchHit]:
        """The cases in ``sight`` matching every word of ``terms``, best first.

        A case whose tracking code ``terms`` spells comes first.
        """


# --- evidence files (issue 14 item 1) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file kept by a ``FileStore``: its SHA-256 (hex, its address) and size in bytes.

    ``created``: this ``put`` wrote it; false when the same content was already kept.
    """

    sha256: str
    size: int
    created: bool = True


class FileStore(Protocol):
    """Where evidence files live, content-addressed by SHA-256 (a folder today, S3 later).

    The store knows nothing of cases: the ``attachments`` table says which case holds which
    file, and one content kept once may be named by several rows.
    """

    def put(self, chunks: Iterable[bytes]) -> StoredFile:
        """Keep the streamed ``chunks`` (never held whole in memory) and return their address."""

    def open(self, sha256: str) -> BinaryIO:
        """The content at ``sha256`` to read in chunks; ``FileNotFoundError`` when absent."""

    def exists(self, sha256: str) -> bool:
        """Whether content at ``sha256`` is kept."""

    def delete(self, sha256: str) -> None:
        """Forget the content at ``sha256`` (nothing happens when it is absent)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """One evidence file on a case: what was stored, what it was called, who brought it.

    ``action``: what it came with (``submit`` at intake, ``attach`` on its own); ``identity``:
    an identity document (KTP), shown and served under the identity masking rule.
    """

    case_id: int
    sha256: str
    name: str
    content_type: str
    size: int
    identity: bool
    action: str
    uploaded_by: str
    uploaded_at: datetime
    id: int | None = None


class AttachmentRepository(Protocol):
    """The rows naming a case's evidence files."""

    def add(self, attachment: Attachment) -> int:
        """Record ``attachment``; its new id."""

    def for_case(self, case_id: int) -> list[Attachment]:
        """The case's attachments, oldest first."""

    def for_cases(self, case_ids: Sequence[int]) -> list[Attachment]:
        """The attachments of all ``case_ids`` in one read, oldest first."""

    def get(self, case_id: int, attachment_id: int) -> Attachment | None:
        """One attachment of the case, or None (also when it belongs to another case)."""

    def delete_for_case(self, case_id: int) -> list[str]:
        """Delete the case's rows; the SHA-256 of the files they named."""

    def referenced(self, sha256: str) -> bool:
        """Whether any row still names the file ``sha256``."""


# --- Inbound mail (issue 14 item 5): the complainant replies to a notice by email ----------


@dataclass(frozen=True, slots=True)
class MailFile:
    """A file attached to an inbound email: the name it was sent with and its bytes."""

    name: str | None
    content: bytes


@dataclass(frozen=True, slots=True)
class InboundEmail:
    """One message read from the office's mailbox, parsed by the adapter.

    ``message_id`` is the ``Message-ID`` without its angle brackets, or ``sha256:<hex>`` of the
    raw message when it has none; ``references`` the ids of ``In-Reply-To`` and
    ``References``; ``recipients`` the addresses of ``To``, ``Cc`` and ``Delivered-To``;
    ``text`` the plain-text body (from the HTML part when there is no plain one).
    ``auth_failed``: the receiving server found the sender's domain forged (DMARC/DKIM/SPF
    fail); ``automatic``: a mail program answered by itself (``Auto-Submitted``, an
    out-of-office reply), not the person. ``problem``, when set, says why the message could
    not be read (then only ``uid`` and ``message_id`` are sure).
    """

    uid: str
    message_id: str
    sender: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    references: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    text: str = ""
    files: tuple[MailFile, ...] = ()
    auth_failed: bool = False
    automatic: bool = False  # an out-of-office or other automatic reply (RFC 3834)
    problem: str | None = None


class MailboxError(Exception):
    """The mailbox could not be read (server down, login refused): the poll ends, tried later."""


class Mailbox(Protocol):
    """The office's incoming mailbox (IMAP): unseen messages, each marked done once handled."""

    def unseen(self, limit: int) -> list[InboundEmail]:
        """Up to ``limit`` messages not yet marked done, oldest first; none is marked by this.

        Raises:
            MailboxError: The server cannot be reached or refuses the login.
        """

    def done(self, uid: str) -> None:
        """Mark the message handled (seen; moved to the done folder when one is configured)."""

    def close(self) -> None:
        """Log out; the next ``unseen`` connects again."""


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """What became of one inbound email: the row that also keeps it from being handled twice.

    ``outcome``: ``applied`` (the reply to a request for information), ``noted`` (put on its
    case's timeline for staff) or ``unmatched`` (listed for staff; ``reason`` says why).
    """

    message_id: str
    received_at: datetime
    outcome: str
    reason: str | None
    case_id: int | None
    sender: str
    subject: str
    text: str
    sent_at: datetime | None = None
    matched_by: str | None = None  # "token" or "subject"
    id: int | None = None
    # An unmatched message an officer followed up by hand: when, who, and their note of what
    # was done (all None while it waits).
    handled_at: datetime | None = None
    handled_by: str | None = None
    handled_note: str | None = None
    # The tracking code of ``case_id``, filled by the lists (``unmatched``), whose condition
    # already holds the case in the reader's sight; None elsewhere.
    tracking_code: str | None = None


class InboundMailRepository(Protocol):
    """The inbound emails handled, one row per ``Message-ID``."""

    def claim(self, record: InboundRecord) -> bool:
        """Store ``record`` unless a row has its ``message_id``; False: handled already.

        On PostgreSQL a second transaction inserting the same id waits for the first and then
        gets False; the row and whatever the use case does with it commit together.
        """

    def unmatched(self, limit: int, *, sight: Sight, handled: bool = False) -> list[InboundRecord]:
        """Up to ``limit`` unmatched emails ``sight`` may read, still to handle or handled.

        Still to handle: newest first; handled: the latest handled first. An email that seemed
        to answer a case out of ``sight`` is left out (a condition of the query).
        """

    def count_unmatched(self, *, sight: Sight, handled: bool = False) -> int:
        """How many unmatched emails ``sight`` may read are still to handle (or handled)."""

    def unmatched_one(self, mail_id: int) -> InboundRecord | None:
        """The unmatched email with row id ``mail_id`` (None: no such unmatched email)."""

    def mark_handled(self, mail_id: int, by: str, note: str, at: datetime) -> bool:
        """Mark the unmatched email handled unless it is already; whether this call marked it.

        One ``UPDATE … WHERE handled_at IS NULL``: of two officers marking it at once, one wins.
        """


@dataclass(frozen=True, slots=True)
class PublishedAnswer:
    """One entry of the public Q&A page (issue 14 item 7): all the public ever reads of a case.

    The anonymised question and answer as staff published them, the service it is listed
    under (if any) and the month it was published (``YYYY-MM``, WIB): no tracking code, no
    name, no finer date.
    """

    question: str
    answer: str
    service_code: str | None
    month: str


class PublicAnswerRepository(Protocol):
    """The public Q&A page's copy of the published entries, kept by the save path."""

    def put(self, case_id: int, entry: PublishedAnswer, published_at: datetime) -> None:
        """Publish the case's entry, or replace the one it had."""

    def remove(self, case_id: int) -> None:
        """Take the case's entry down (nothing when it has none)."""

    def page(
        self, service_code: str | None, offset: int, limit: int
    ) -> tuple[list[PublishedAnswer], int]:
        """Entries newest first (of one service, or all), and how many there are in all."""

    def services(self) -> list[str]:
        """The service codes that have at least one entry, sorted."""


class UnitOfWork(Protocol):
    """One transaction: nothing is kept unless ``commit`` is called."""

    @property
    def cases(self) -> CaseRepository:
        """Cases in this transaction."""

    @property
    def reference(self) -> ReferenceRepository:
        """Catalog and org chart in this transaction."""

    @property
    def alarms(self) -> AlarmRepository:
        """Deadline alarms in this transaction."""

    @property
    def outbox(self) -> OutboxRepository:
        """The notification outbox in this transaction."""

    @property
    def calendar(self) -> CalendarRepository:
        """Calendar overrides in this transaction."""

    @property
    def accounts(self) -> AccountRepository:
        """Staff credentials, sessions, tokens, client keys and the login audit."""

    @property
    def identity(self) -> IdentityRepository:
        """The identity-access log, the complainant's PIN and a case's Open311 client."""

    @property
    def search(self) -> CaseSearch:
        """Full-text search over cases, kept on the save path."""

    @property
    def attachments(self) -> AttachmentRepository:
        """The rows naming cases' evidence files (the files live in a ``FileStore``)."""

    @property
    def inbound(self) -> InboundMailRepository:
        """The inbound emails handled (issue 14 item 5)."""

    @property
    def public_answers(self) -> PublicAnswerRepository:
        """The published Q&A entries (issue 14 item 7)."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Keep everything done in this unit of work."""


class UnitOfWorkFactory(Protocol):
    """Opens units of work; ``readonly`` ones may skip the write lock."""

    def __call__(self, *, readonly: bool = False) -> UnitOfWork:
        """A new, not yet entered, unit of work."""


class Clock(Protocol):
    """Where the service layer gets the time: pure code never calls ``now()``."""

    def now(self) -> datetime:
        """The current aware UTC time."""


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current aware UTC time."""
        return datetime.now(UTC)


@dataclass(slots=True)
class FixedClock:
    """A clock for tests and replays: set or advance it by hand."""

    current: datetime

    def now(self) -> datetime:
        """The time it was set to."""
        return self.current


# --- delivery channels -----------------------------------------------------------------------


class DeliveryError(Exception):
    """A delivery failed; ``permanent`` ones are dead-lettered without further attempts."""

    def __init__(self, message: str, *, permanent: bool = False, unreachable: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        # The channel itself is out (server down, not answering), not this message: the
        # dispatcher stops trying that channel for the rest of its round.
        self.unreachable = unreachable


class RenderedMessage(Protocol):
    """One notice in all the shapes a channel may send (``notifications.templates.Rendered``)."""

    @property
    def subject(self) -> str:
        """The subject line (email) or title (letter)."""

    @property
    def short(self) -> str:
        """The text that fits one SMS."""

    @property
    def text(self) -> str:
        """The full plain text."""

    @property
    def html(self) -> str:
        """The text as an HTML page (the email's HTML part, the letter)."""


class DeliveryChannel(Protocol):
    """Delivers rendered messages of one channel (email, sms, whatsapp, letter, in_app)."""

    name: str

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        """Deliver, or raise ``DeliveryError``."""

    def close(self) -> None:
        """Release connections (called when the dispatcher stops)."""


# --- reports ---------------------------------------------------------------------------------
# The readers behind the statistics, the recap, the case export, the yearly evaluation, the SKM
# survey and the office-wide runs. The database counts and groups; ``aduan.reports`` arranges
# and renders what comes back. Only the SQL unit of work provides them
# (``ReportingUnitOfWork``): reports run on SQLite or PostgreSQL, never on the in-memory fake.

NO_VALUE = "-"  # the key of "no value" in the counts (no service, no track, no outcome)
APIP_ACTIONS = ("request_apip", "approve_apip", "refuse_apip")  # the keys of ``apip`` counts


@dataclass(frozen=True, slots=True)
class AnswerSpan:
    """How many complaints started their answer clock on one day and were answered on another."""

    started_on: date
    answered_on: date
    count: int


@dataclass(frozen=True, slots=True)
class PeriodCounts:
    """The counts of the cases received in a period, as the statistics need them.

    ``dims``: per dimension (``kind_reason``, ``service``, ``channel``, ``track``, ``outcome``,
    ``status``, ``tier``, ``compliance``, ``problem_types``) the cases per value. Keys are
    ``kind:screening_reason``, ``track:tier`` (0-based) and otherwise the value, ``NO_VALUE``
    for none; a case with several problem types counts once for each. ``spans``: the answered
    complaints by (clock start day, answer day) in WIB. ``apip``: the cases with each of
    ``APIP_ACTIONS`` at least once.
    """

    dims: dict[str, dict[str, int]]
    spans: list[AnswerSpan]
    apip: dict[str, int]
    # Duplicates merged into the period's complaints (issue 14 item 4): their complainants,
    # counted with the main complaint; a merged duplicate is never counted as a case itself.
    merged: int = 0


@dataclass(frozen=True, slots=True)
class PastTier:
    """A reopened case: its current track and tier, and one earlier step on a track.

    ``position`` is the position a tier report (laporan tertulis) went up to; ``routed_to`` the
    track a route event put the case on. One of the two is set.
    """

    case_id: int
    track: str | None
    tier: int
    position: str | None
    routed_to: str | None


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case in a list of a report (overdue, escalated to APIP)."""

    id: int
    tracking_code: str
    subject: str
    service_code: str | None
    status: str
    track: str | None
    tier: int
    assignee: str | None
    received_at: datetime
    response_due_at: datetime | None
    info_requested_at: datetime | None = None  # its answer clock stopped then (None: it runs)


class StatisticsReader(Protocol):
    """The counts behind the statistics and the recap of a period ``[start, end)``.

    ``sight`` is whose report it is (DESIGN §6): only the cases it reaches are counted or
    listed, as a condition of the query itself (no sight: nothing).
    """

    def period_counts(
        self,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        sight: Sight,
        rollup: bool = True,
    ) -> PeriodCounts:
        """The counts of the cases received in the period, as of ``now``.

        ``rollup``: whole months from the rollup folded from the audit trail, plus the events
        not folded yet (fast, and exact at any moment); ``False`` aggregates
        every case of the period (the same numbers, slower: for checks and the benchmark).
        The rollup is office-wide: a narrower sight always counts the cases themselves.
        """

    def reopened_tier_history(
        self, start: datetime, end: datetime, *, sight: Sight
    ) -> list[PastTier]:
        """The earlier tracks and tier reports of the period's reopened cases."""

    def deadline_compliance(
        self, start: datetime, end: datetime, now: datetime, *, sight: Sight
    ) -> dict[str, int]:
        """Complaints whose answer deadline falls in the period, by ``AnswerDeadline`` key.

        Whenever they arrived (``aduan.escalation.answer``): each complaint is judged once, in
        the period its deadline falls in.
        """

    def overdue_cases(
        self, start: datetime, end: datetime, now: datetime, limit: int, *, sight: Sight
    ) -> list[CaseLine]:
        """Open complaints unanswered at ``now`` whose deadline passed before ``end``.

        Late in the period or still late from before it, whenever they arrived; the oldest
        deadline first.
        """

    def apip_cases(
        self, start: datetime, end: datetime, limit: int, *, sight: Sight
    ) -> list[CaseLine]:
        """Cases of the period handled by APIP or awaiting the head's approval for it."""

    def compact_rollup(self) -> int:
        """Sum the rollup's signed rows per group into one; how many rows went."""

    def fold_rollup(self, now: datetime) -> int | None:
        """Fold the audit trail past the rollup's watermark into it; how many cases it took.

        None when another fold (another instance) was doing it at the same time. Must be the
        first thing its unit of work does.
        """


# The columns of a case export row, in order (``CaseListingReader.export_rows``).
EXPORT_COLUMNS = (
    "id", "tracking_code", "received_at", "kind", "screening_reason", "channel", "service_code",
    "problem_types", "subject", "status", "track", "tier", "outcome", "response_due_at",
    "answered_at", "closed_at", "complainant_name", "complainant_email", "complainant_phone",
    "complainant_address", "confidential", "info_requested_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CaseGroup:
    """Cases of a period alike in service, kind, standard components (as stored) and status."""

    service: str | None
    kind: str
    problem_types: tuple[str, ...]
    status: str
    count: int


class CaseListingReader(Protocol):
    """The cases of a period as rows and groups: the case export and the yearly evaluation.

    Only the cases ``sight`` reaches (DESIGN §6), as a condition of the query itself.
    """

    def export_rows(
        self, start: datetime, end: datetime, *, sight: Sight
    ) -> Iterator[Mapping[str, Any]]:
        """The period's cases (``EXPORT_COLUMNS``) in id order, streamed."""

    def service_problem_counts(
        self, start: datetime, end: datetime, *, sight: Sight
    ) -> dict[tuple[str, str, str], int]:
        """Cases of the period by (service, kind, problem type); ``unclassified`` for none."""

    def case_groups(self, start: datetime, end: datetime, *, sight: Sight) -> list[CaseGroup]:
        """The period's cases grouped by service, kind, standard components and status."""

    def suggestions(
        self, start: datetime, end: datetime, *, sight: Sight, limit: int = 10_000
    ) -> list[dict[str, Any]]:
        """Every suggestion of the period (late complaints treated as suggestions included).

        Each with ``tracking_code``, ``received_at``, ``service_code``, ``screening_reason``,
        ``subject``, ``description``, ``status`` and ``problem_types`` (its classification).
        """


@dataclass(frozen=True, slots=True)
class SurveyContact:
    """A complainant to invite: a closed case with a way to reach them."""

    case_id: int
    tracking_code: str
    service_code: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class Invitation:
    """A stored survey invitation, as the form sees it."""

    id: int
    period: str
    service_code: str | None
    expires_at: datetime
    used_at: datetime | None
    case_id: int | None = None  # the case it speaks for; None: a public visit without proof


class SurveyRepository(Protocol):
    """The SKM survey: invitations (one-time tokens, stored as hashes) and responses."""

    def closed_with_contact(self, start: datetime, end: datetime) -> list[SurveyContact]:
        """Cases closed in ``[start, end)`` whose complainant left an e-mail address or phone."""

    def add_invitation(
        self,
        *,
        period: str,
        token_hash: str,
        case_id: int | None,
        channel: str,
        service_code: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> bool:
        """Store an invitation; False (nothing written) when the case was invited already."""

    def invitation(self, token_hash: str) -> Invitation | None:
        """The invitation of a token, or None."""

    def use_invitation(self, invitation_id: int, now: datetime) -> bool:
        """Mark it used if still unused and unexpired; False otherwise (one of two racers wins)."""

    def add_response(
        self, invitation: Invitation, scores: Sequence[int], comment: str | None, now: datetime
    ) -> None:
        """Store one respondent's nine scores."""

    def proven_cases(self, proof: str, code: str, start: datetime, end: datetime) -> list[int]:
        """Cases closed or answered in ``[start, end)`` with tracking code or licence number.

        ``code`` is matched as the tracking code, ``proof`` as the licence number; oldest first.
        """

    def answered_cases(self, period: str, case_ids: Sequence[int]) -> set[int]:
        """Those of ``case_ids`` that have a response (invited or public) for ``period``."""

    def open_public_invitation(
        self, *, period: str, case_id: int, token_hash: str, now: datetime, expires_at: datetime
    ) -> bool:
        """The case's public invitation for ``period`` with this token; False if used already.

        An unused earlier public invitation of the case gets the new token (one row per case).
        """

    def score_sums(self, period: str) -> tuple[int, list[int]]:
        """Verified respondents of a quarter (with a case) and the sum of their scores."""

    def unverified_count(self, period: str) -> int:
        """Public responses of a quarter without a case (not counted in the index)."""

    def comments(self, period: str, limit: int = 500) -> list[str]:
        """Respondents' free-text suggestions of a quarter, oldest first."""


class SingletonRuns(Protocol):
    """Claims of office-wide jobs that run once per period, whatever the number of instances."""

    def claim(self, job: str, period: str, instance: str, now: datetime) -> bool:
        """Claim the run of ``job`` for ``period`` in this transaction; False when taken."""

    def record_result(self, job: str, period: str, result: dict[str, Any]) -> None:
        """Store what the run did, for the administrator."""

    def runs_of(self, job: str) -> list[tuple[str, datetime, str]]:
        """(period, ran_at, instance) of every run of ``job``, by period."""


@runtime_checkable
class ReportingUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can also read reports (the SQL one)."""

    @property
    def stats(self) -> StatisticsReader:
        """Statistics counts in this transaction."""

    @property
    def listings(self) -> CaseListingReader:
        """Case rows and groups of a period in this transaction."""

    @property
    def surveys(self) -> SurveyRepository:
        """SKM invitations and responses in this transaction."""

    @property
    def singletons(self) -> SingletonRuns:
        """Office-wide run claims in this transaction."""


# --- the retention purge of personal data (issue 14 item 1) ------------------------------------


# What a channel recorded that names the person (``ChannelFacts``): the social account a
# message came from. Erased from the case with the rest; hidden from its intake entry.
PERSONAL_FACTS = ("social_handle",)


@dataclass(frozen=True, slots=True)
class EndedCase:
    """A case that ended (closed, withdrawn, referred, merged, or a forwarded suggestion)."""

    id: int
    tracking_code: str
    ended_at: datetime


class RetentionRepository(Protocol):
    """The cases whose complainant's personal data is kept past the retention, and its erasure.

    What is erased: the complainant's name, contacts and address, the social account the
    channel recorded, the PIN hash and the intake keys, the address, content and errors of the
    messages sent to them, the sender, subject and text of the emails they sent (the row stays,
    by its Message-ID), and their name and contacts in the search index. What stays: the
    case, its timeline, written reports and statistics.
    """

    def ended_before(
        self, cutoff: datetime, after: EndedCase | None, limit: int
    ) -> list[EndedCase]:
        """Cases that ended before ``cutoff`` and still hold personal data, after ``after``.

        By the time they ended (then id), at most ``limit``.
        """

    def erase(self, case_id: int, cutoff: datetime, now: datetime) -> bool:
        """Erase case ``case_id``'s personal data if it still ended before ``cutoff``.

        Marks the case erased at ``now`` (its version moves on: a stale write conflicts).
        False when there was nothing to do (erased already, or open again).
        """


@runtime_checkable
class RetentionUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can run the retention purge (the SQL one)."""

    @property
    def retention(self) -> RetentionRepository:
        """The retention purge's reads and writes in this transaction."""
