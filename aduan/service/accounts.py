"""Staff accounts: passwords, login sessions, API tokens, Open311 client keys and login throttling.

Use cases shared by the web app and the CLI. Passwords are argon2id hashes; session cookies,
bearer tokens and client keys are random and stored only as their SHA-256 (they carry 256
bits, so a slow hash adds nothing). Logins, failed logins, throttled attempts and credential
changes go to the login audit (``auth_events``; repeated failures as one counted entry, an
unknown username never by name). Throttling counts attempts in the database's rate-limit
buckets (``service.limits``), so it holds across workers and instances.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from aduan.catalog.orgchart import StaffUser
from aduan.ports import AuthEvent, SessionRecord, UnitOfWork
from aduan.schemas import text
from aduan.service import limits
from aduan.service.administrator import require_admin
from aduan.service.deps import Deps
from aduan.service.limits import Limit, slot_of
from aduan.workflow.errors import AuthenticationError, InputError, NotFoundError, ThrottledError
from aduan.workflow.states import N_, Role

log = structlog.get_logger()

SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_FAILURES = 5  # failed logins per username and address …
THROTTLE_WINDOW = timedelta(minutes=15)  # … within this window lock out that pair
ADDRESS_FAILURES = 30  # failed logins per address, any usernames (known or not), per window
UNKNOWN = "?"  # the audit's username for a name no account has (it is often a password)
# The sign-in entries of the login audit, deleted after the retention (ADUAN_AUTH_RETENTION_DAYS)
SIGN_IN_EVENTS = ("login", "login_failed", "login_throttled", "logout")
AUTH_RETENTION_DAYS = 365
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# Roles a person logs in with; "system" and "complainant" are never staff accounts.
STAFF_ROLES = frozenset(Role) - {Role.SYSTEM, Role.COMPLAINANT}

_hasher = PasswordHasher()
_dummy: list[str] = []


@dataclass(frozen=True, slots=True)
class Staff:
    """Who is calling: a logged-in staff member, their place in the chart and session CSRF."""

    username: str
    name: str
    role: Role
    unit: str | None
    position: str | None
    csrf_token: str | None = None  # None for bearer-token callers (no cookie, no CSRF)


@dataclass(frozen=True, slots=True)
class Session:
    """A new login: the cookie token (shown once, stored hashed) and the staff member."""

    token: str
    csrf_token: str
    expires_at: datetime
    staff: Staff


def digest(secret: str) -> str:
    """The stored form of a random secret (session token, bearer token, client key)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _wrong_login() -> AuthenticationError:
    return AuthenticationError("wrong_credentials", N_("nama pengguna atau kata sandi salah"))


def _staff(deps: Deps, uow: UnitOfWork, user: StaffUser, csrf: str | None) -> Staff:
    chart = deps.reference.orgchart(uow)
    post = chart.positions.get(user.position) if user.position else None
    return Staff(
        user.username, user.full_name, user.role, post.unit if post else None, user.position, csrf
    )


def _usable(uow: UnitOfWork, username: str) -> StaffUser | None:
    user = uow.reference.user(username)
    return user if user is not None and user.active and user.role in STAFF_ROLES else None


# --- passwords and tokens -----------------------------------------------------------------


def set_password(deps: Deps, username: str, password: str, *, by: str | None = None) -> None:
    """Set a staff member's password; their open sessions end. Admin only (``by``)."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InputError(
            "password",
            "length",
            N_("kata sandi harus %(min)s–%(max)s karakter"),
            min=MIN_PASSWORD_LENGTH,
            max=MAX_PASSWORD_LENGTH,
        )
    password_hash = _hasher.hash(password)
    now = deps.clock.now()
    with deps.uow() as uow:
        require_admin(uow, by)
        if uow.reference.user(username) is None:
            raise NotFoundError("pengguna/user", username)
        uow.accounts.set_password_hash(username, password_hash, now)
        uow.accounts.drop_sessions(username)
        uow.accounts.record(AuthEvent(now, "password_set", username, "local"))
        uow.commit()
    deps.reference.invalidate()  # callers remembered by the web app are looked up again
    log.info("password_set", username=username)


def issue_token(deps: Deps, username: str, label: str = "api", *, by: str | None = None) -> str:
    """A new API bearer token for a staff member; only its hash is kept, so show it once.

    Admin only (``by``).
    """
    token = "adu_" + secrets.token_urlsafe(32)
    now = deps.clock.now()
    with deps.uow() as uow:
        require_admin(uow, by)
        if _usable(uow, username) is None:
            raise NotFoundError("pengguna aktif/active user", username)
        uow.accounts.add_token(username, digest(token), label[:100], now)
        uow.accounts.record(AuthEvent(now, "token_issued", username, "local", label[:100]))
        uow.commit()
    log.info("token_issued", username=username)
    return token


def revoke_tokens(deps: Deps, username: str, *, by: str | None = None) -> int:
    """Revoke every API token of a staff member; return how many. Admin only (``by``)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        require_admin(uow, by)
        count = uow.accounts.revoke_tokens(username, now)
        uow.accounts.record(AuthEvent(now, "tokens_revoked", username, "local", str(count)))
        uow.commit()
    deps.reference.invalidate()  # callers remembered by the web app are looked up again
    return count


def ensure_initial_password(deps: Deps, username: str = "admin") -> str | None:
    """Give ``username`` a random password when nobody has one yet; return it (else None)."""
    with deps.uow(readonly=True) as uow:
        if uow.accounts.has_passwords() or uow.reference.user(username) is None:
            return None
    password = secrets.token_urlsafe(12)
    set_password(deps, username, password)
    return password


# --- login sessions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A login let through the throttle and counted as a failure until it succeeds.

    ``begin_login`` makes it in a short write transaction; the password is checked after that,
    outside any transaction (``password_matches``, ~0.2 s of CPU), and ``finish_login`` writes
    the outcome. So the slow hash never holds SQLite's write turn nor a request's connection.
    """

    username: str
    client_ip: str
    on_record: str  # the username as the audit keeps it: UNKNOWN for a name no account has
    user: StaffUser | None
    stored: str | None
    counted_at: datetime


def login_limits(username: str, client_ip: str) -> list[Limit]:
    """Where a login attempt counts: this username at this address, and the address."""
    address = client_ip[:60]
    return [
        Limit(f"login:{limits.digest(username)}@{address}", THROTTLE_FAILURES, THROTTLE_WINDOW),
        Limit(f"login:ip:{address}", ADDRESS_FAILURES, THROTTLE_WINDOW),
    ]


def begin_login(deps: Deps, username: str, client_ip: str) -> LoginAttempt:
    """Let an attempt through the throttle (counted), or raise ``ThrottledError``.

    Counting and checking are one step, so concurrent guesses are exact: five means five.
    """
    username = text.checked("username", username.strip().lower()[:64])
    now = deps.clock.now()
    with deps.uow() as uow:
        known = uow.reference.user(username) is not None
        on_record = username if known else UNKNOWN
        retry_after = limits.reserve(uow.accounts, login_limits(username, client_ip), now)
        if retry_after:
            throttled = AuthEvent(now, "login_throttled", on_record, client_ip)
            uow.accounts.record_repeat(throttled, now - THROTTLE_WINDOW)
            uow.commit()
            log.warning("login_throttled", username=on_record, client_ip=client_ip)
            raise ThrottledError("login", retry_after)
        user = _usable(uow, username)
        stored = uow.accounts.password_hash(username) if user else None
        uow.commit()
    return LoginAttempt(username, client_ip, on_record, user, stored, now)


def password_matches(attempt: LoginAttempt, password: str) -> bool:
    """Whether ``password`` is the attempt's user's (same cost for unknown users). No I/O."""
    matches = _verify(attempt.stored or _dummy_hash(), password)
    return matches and attempt.user is not None and attempt.stored is not None


def finish_login(deps: Deps, attempt: LoginAttempt, password: str, matches: bool) -> Session:
    """Open the session of a matching attempt, or record the failure and raise."""
    now = deps.clock.now()
    client_ip = attempt.client_ip
    if not matches or attempt.user is None or attempt.stored is None:
        with deps.uow() as uow:
            failed = AuthEvent(now, "login_failed", attempt.on_record, client_ip)
            uow.accounts.record_repeat(failed, now - THROTTLE_WINDOW)
            uow.commit()
        log.warning("login_failed", username=attempt.on_record, client_ip=client_ip)
        raise _wrong_login()
    username, user = attempt.username, attempt.user
    rehashed = _hasher.hash(password) if _hasher.check_needs_rehash(attempt.stored) else None
    pair, address = login_limits(username, client_ip)
    with deps.uow() as uow:
        uow.accounts.clear_hits(pair.bucket)  # a successful login forgives the failures before it
        uow.accounts.add_hit(address.bucket, slot_of(attempt.counted_at, address.window), -1)
        if rehashed is not None:
            uow.accounts.set_password_hash(username, rehashed, now)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        record = SessionRecord(username, csrf, client_ip[:64], now, now + SESSION_LIFETIME)
        uow.accounts.add_session(digest(token), record)
        uow.accounts.record(AuthEvent(now, "login", username, client_ip))
        staff = _staff(deps, uow, user, csrf)
        uow.commit()
    log.info("login", username=username, role=user.role.value)
    return Session(token, csrf, record.expires_at, staff)


def login(deps: Deps, username: str, password: str, client_ip: str) -> Session:
    """Check a password and open a session; throttled after repeated failures.

    The web app runs the three steps itself, the hash on a thread of its own.
    """
    attempt = begin_login(deps, username, client_ip)
    return finish_login(deps, attempt, password, password_matches(attempt, password))


def _dummy_hash() -> str:
    """A hash to verify against for unknown users: same cost, so no user-name oracle."""
    if not _dummy:
        _dummy.append(_hasher.hash(secrets.token_urlsafe(16)))
    return _dummy[0]


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def purge_sign_ins(deps: Deps, retention_days: int) -> dict[str, int]:
    """Delete sign-in entries older than ``retention_days`` and rate-limit slots past use.

    Credential changes (passwords, tokens, keys, users, allowances) are kept.
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        events = uow.accounts.purge_events(now - timedelta(days=retention_days), SIGN_IN_EVENTS)
        slots = uow.accounts.purge_hits(now - limits.HITS_KEPT)
        uow.commit()
    return {"auth_events": events, "rate_slots": slots}


def logout(deps: Deps, session_token: str) -> None:
    """End a session (unknown or expired tokens are ignored)."""
    key = digest(session_token)
    now = deps.clock.now()
    with deps.uow() as uow:
        found = uow.accounts.session(key, now)
        uow.accounts.drop_session(key)
        if found is not None:
            uow.accounts.record(AuthEvent(now, "logout", found.username, found.client_ip))
        uow.commit()
    deps.reference.invalidate()  # callers remembered by the web app are looked up again


def session_staff(deps: Deps, session_token: str) -> Staff | None:
    """The staff member of a live session cookie, or None."""
    with deps.uow(readonly=True) as uow:
        found = uow.accounts.session(digest(session_token), deps.clock.now())
        user = _usable(uow, found.username) if found else None
        if found is None or user is None:
            return None
        return _staff(deps, uow, user, found.csrf_token)


def token_staff(deps: Deps, bearer_token: str) -> Staff | None:
    """The staff member of a bearer token that was not revoked, or None."""
    with deps.uow(readonly=True) as uow:
        username = uow.accounts.token_user(digest(bearer_token))
        user = _usable(uow, username) if username else None
        return _staff(deps, uow, user, None) if user else None


def audit_trail(deps: Deps, username: str) -> list[AuthEvent]:
    """The login audit of one username, oldest first."""
    with deps.uow(readonly=True) as uow:
        return uow.accounts.audit(username)


# --- Open311 client keys ------------------------------------------------------------------


def issue_client_key(deps: Deps, label: str, *, by: str | None = None) -> str:
    """A new Open311 ``api_key`` for a trusted civic client; only its hash is kept. Admin only."""
    label = label.strip()[:100]
    if not label:
        raise InputError("label", "required", N_("nama klien wajib diisi"))
    key = "o311_" + secrets.token_urlsafe(24)
    now = deps.clock.now()
    with deps.uow() as uow:
        require_admin(uow, by)
        uow.accounts.add_client_key(digest(key), label, now)
        uow.accounts.record(AuthEvent(now, "client_key_issued", f"open311:{label}"[:64], "local"))
        uow.commit()
    log.info("client_key_issued", label=label)
    return key


def client_label(deps: Deps, key: str) -> str | None:
    """The client a valid Open311 ``api_key`` belongs to, or None."""
    with deps.uow(readonly=True) as uow:
        return uow.accounts.client_key(digest(key))
