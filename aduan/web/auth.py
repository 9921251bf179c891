"""Who is calling: session cookies with CSRF for the UI, bearer tokens for the API.

The UI and the API share these FastAPI dependencies. A session cookie (``aduan_session``,
HttpOnly, SameSite=Lax) carries a random token stored hashed, with a CSRF token per session;
forms send it back as a field, API calls made with the cookie as ``X-CSRF-Token``. Callers
with ``Authorization: Bearer`` send no cookie, so they need no CSRF token. Pages without a
session (login, public intake) get a double-submit CSRF cookie (``aduan_csrf``).
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import Callable, Iterable

import anyio
from anyio import to_thread
from fastapi import Request, Response

from aduan.service import Deps, accounts
from aduan.service.accounts import Session, Staff
from aduan.service.cache import Expiring, monotonic
from aduan.workflow.errors import AccessDeniedError, AuthenticationError
from aduan.workflow.states import N_, Role

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "DEVICE_COOKIE",
    "SESSION_COOKIE",
    "Session",
    "Staff",
    "StaffCache",
    "clear_session_cookie",
    "client_ip",
    "csrf_token",
    "current_staff",
    "deps_of",
    "login",
    "login_async",
    "logout",
    "require_roles",
    "require_staff",
    "set_session_cookie",
    "staff_cache",
    "verify_csrf",
]

SESSION_COOKIE = "aduan_session"
CSRF_COOKIE = "aduan_csrf"
# A random token per browser, handed out with the anonymous CSRF cookie: the public intake's
# rate limit counts devices by it, so another device behind the same address is not refused.
DEVICE_COOKIE = "aduan_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NO_ONE = object()  # request.state marker: looked up, nobody logged in


def deps_of(request: Request) -> Deps:
    """The service layer's dependencies of the running app."""
    deps: Deps = request.app.state.deps
    return deps


def client_ip(request: Request) -> str:
    """The caller's address, as the login throttle and rate limits count it.

    The connection's, or what a trusted proxy says (``proxies.TrustedProxies``).
    """
    return request.client.host if request.client else "unknown"


def login(deps: Deps, username: str, password: str, client_ip: str) -> Session:
    """Check a password and open a session (``AuthenticationError`` or ``ThrottledError``)."""
    return accounts.login(deps, username, password, client_ip)


# One password check at a time per event loop (a server), on a thread outside the request
# threads' limit: a flood of logins waits for its turn here while every other request goes on.
HASHING_THREADS = 1
_hashing: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _hash_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _hashing.get(loop)
    if limiter is None:
        limiter = _hashing[loop] = anyio.CapacityLimiter(HASHING_THREADS)
    return limiter


async def login_async(deps: Deps, username: str, password: str, client_ip: str) -> Session:
    """``login`` for ``async`` routes: never on the event loop, the hash in no transaction.

    The throttle and the outcome are short writes on a request thread; the password hash
    (~0.2 s of CPU) runs on a thread of its own, one at a time, outside SQLite's write turn.
    """
    attempt = await to_thread.run_sync(accounts.begin_login, deps, username, client_ip)
    matches = await to_thread.run_sync(
        accounts.password_matches, attempt, password, limiter=_hash_limiter()
    )
    return await to_thread.run_sync(accounts.finish_login, deps, attempt, password, matches)


def logout(deps: Deps, session_token: str, cache: StaffCache | None = None) -> None:
    """End a session (and forget it at once in this process's ``cache``)."""
    accounts.logout(deps, session_token)
    if cache is not None:
        cache.forget("s:" + accounts.digest(session_token))


def set_session_cookie(response: Response, session: Session, *, secure: bool = False) -> None:
    """Hand the session to the browser: HttpOnly, SameSite=Lax, for the session's lifetime."""
    max_age = int(accounts.SESSION_LIFETIME.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


class StaffCache:
    """Who a bearer token or session cookie belongs to, remembered for ``max_age`` seconds.

    Looking the caller up cost a transaction per request, as much as the work of a small read.
    Only found callers are kept, under the SHA-256 of the credential, for a few seconds. A
    change made in this process (logout, new password, revoked tokens, a user deactivated or
    given another role) bumps ``ReferenceCache.generation`` and so takes effect at once; the
    same change made elsewhere (the CLI, another instance) takes effect within ``max_age``.
    """

    def __init__(
        self,
        max_age: float = 5.0,
        max_entries: int = 4096,
        *,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        # A burst of logins past ``max_entries`` empties it: everyone is looked up again once.
        self._found: Expiring[str, tuple[int, Staff]] = Expiring(max_age, max_entries, clock)

    def get(self, key: str, generation: int) -> Staff | None:
        """The staff member remembered under ``key`` (a digest) at ``generation``, or None."""
        found = self._found.get(key)
        if found is None or found[0] != generation:
            return None
        return found[1]

    def put(self, key: str, generation: int, staff: Staff) -> None:
        """Remember ``staff`` under ``key`` from now, as of ``generation``."""
        self._found.put(key, (generation, staff))

    def forget(self, key: str) -> None:
        """Stop remembering ``key`` (logout)."""
        self._found.forget(key)


def staff_cache(request: Request) -> StaffCache | None:
    """The app's cache of callers (None: look every caller up)."""
    return getattr(request.app.state, "staff_cache", None)


def current_staff(request: Request) -> Staff | None:
    """The logged-in staff member (bearer token first, then session cookie), or None."""
    cached = getattr(request.state, "staff", None)
    if cached is not None:
        return None if cached is _NO_ONE else cached
    deps = deps_of(request)
    staff: Staff | None = None
    token = _bearer(request)
    cookie = request.cookies.get(SESSION_COOKIE) if token is None else None
    credential = token or cookie
    cache = staff_cache(request) if credential else None
    key = ("b:" if token else "s:") + accounts.digest(credential) if credential else ""
    generation = deps.reference.generation  # read before the lookup: a change meanwhile wins
    if cache is not None:
        staff = cache.get(key, generation)
    if staff is None and credential:
        if token is not None:
            staff = accounts.token_staff(deps, token)
        else:
            staff = accounts.session_staff(deps, credential)
        if staff is not None and cache is not None:
            cache.put(key, generation, staff)
    request.state.staff = staff if staff is not None else _NO_ONE
    return staff


def require_staff(request: Request) -> Staff:
    """The logged-in staff member, or 401; API calls made with the cookie must carry CSRF."""
    staff = current_staff(request)
    if staff is None:
        raise AuthenticationError(
            "login_required",
            N_("perlu masuk (login) atau token API yang sah"),
        )
    if (
        staff.csrf_token is not None
        and request.method not in SAFE_METHODS
        and request.url.path.startswith("/api/")
    ):
        verify_csrf(request, request.headers.get(CSRF_HEADER, ""))
    return staff


def require_roles(roles: Iterable[Role], what: str) -> Callable[[Request], Staff]:
    """A dependency that lets only ``roles`` through (deny by default); ``what`` names it."""
    allowed = frozenset(roles)

    def dependency(request: Request) -> Staff:
        staff = require_staff(request)
        if staff.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise AccessDeniedError(
                "role_matrix",
                N_("peran '%(role)s' tidak berwenang: %(what)s (hanya %(names)s)"),
                role=staff.role.value,
                what=what,
                names=names,
            )
        return staff

    return dependency


def csrf_token(request: Request) -> str:
    """The CSRF token to put in a form: the session's, or an anonymous double-submit one."""
    staff = current_staff(request)
    if staff is not None and staff.csrf_token is not None:
        return staff.csrf_token
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_cookie", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.csrf_cookie = token  # the access-log middleware sets the cookie
    if not request.cookies.get(DEVICE_COOKIE) and not getattr(request.state, "device", None):
        request.state.device = secrets.token_urlsafe(24)  # … and this one
    return str(token)


def verify_csrf(request: Request, submitted: str) -> None:
    """Raise ``AccessDeniedError`` (403) unless ``submitted`` is this browser's CSRF token."""
    staff = current_staff(request)
    expected = staff.csrf_token if staff is not None else None
    if expected is None:
        expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise AccessDeniedError(
            "csrf",
            N_("token formulir (CSRF) tidak cocok; muat ulang halaman lalu coba lagi"),
        )
