"""The one error hierarchy of Aduan; every error carries facts and builds its own message.

Messages are Bahasa Indonesia first, English second. Entry points show ``str(error)``; the API
maps classes to HTTP statuses with ``HTTP_STATUS``.

    AduanError
    ├── InputError                 bad input: names the field and the rule (400/422)
    ├── NotFoundError              unknown case, service, unit, user … (404)
    ├── ConflictError              stale version: someone changed the case first (409)
    ├── AuthenticationError        no valid login, session or token (401)
    ├── ThrottledError             too many attempts from one place; retry later (429)
    ├── AccessDeniedError          the caller's role may not use this at all, or bad CSRF (403)
    ├── DatabaseUnavailableError   the store cannot be reached or stays locked too long (API: 503)
    └── WorkflowError              the procedure does not allow it (409 / 403)
        ├── InvalidTransitionError  action not possible from the current status
        ├── PermissionDeniedError   role may not take the action (403)
        └── RuleViolationError      a guard of the procedure failed, naming the rule
"""

from __future__ import annotations


class AduanError(Exception):
    """Base of every error Aduan raises on purpose."""

    code = "error"

    def __init__(self, message_id: str, message_en: str) -> None:
        self.message_id = message_id
        self.message_en = message_en
        super().__init__(message_id if message_id == message_en else f"{message_id} / {message_en}")


class InputError(AduanError):
    """A field of a command breaks a rule; nothing was written."""

    code = "invalid_input"

    def __init__(self, field: str, rule: str, message_id: str, message_en: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {message_id}", f"{field}: {message_en}")


class NotFoundError(AduanError):
    """A referenced entity does not exist."""

    code = "not_found"

    def __init__(self, entity: str, key: object) -> None:
        self.entity = entity
        self.key = key
        super().__init__(f"{entity} '{key}' tidak ditemukan", f"{entity} '{key}' not found")


class ConflictError(AduanError):
    """The case changed since the caller read it (optimistic locking)."""

    code = "conflict"

    def __init__(self, case_ref: str, expected_version: int, actual_version: int | None) -> None:
        self.case_ref = case_ref
        self.expected_version = expected_version
        self.actual_version = actual_version
        now = "?" if actual_version is None else str(actual_version)
        super().__init__(
            f"kasus {case_ref} sudah diubah orang lain (versi {expected_version} → {now}); "
            "muat ulang lalu coba lagi",
            f"case {case_ref} was changed by someone else (version {expected_version} → {now}); "
            "reload and try again",
        )


class AuthenticationError(AduanError):
    """The caller is not logged in, or the credentials are wrong (never saying which part)."""

    code = "unauthenticated"

    def __init__(self, reason: str, message_id: str, message_en: str) -> None:
        self.reason = reason
        super().__init__(message_id, message_en)


class ThrottledError(AduanError):
    """Too many attempts (logins, public submissions) from one place; wait ``retry_after`` s."""

    code = "throttled"

    def __init__(self, what: str, retry_after: int) -> None:
        self.what = what
        self.retry_after = max(1, retry_after)
        minutes = max(1, -(-self.retry_after // 60))
        super().__init__(
            f"terlalu banyak percobaan ({what}); coba lagi dalam {minutes} menit",
            f"too many attempts ({what}); try again in {minutes} minute(s)",
        )


class AccessDeniedError(AduanError):
    """The caller may not use this function at all (deny by default), naming the rule."""

    code = "access_denied"

    def __init__(self, rule: str, message_id: str, message_en: str) -> None:
        self.rule = rule
        super().__init__(message_id, message_en)


class DatabaseUnavailableError(AduanError):
    """The database cannot be reached or is locked for too long (the storage adapters raise it)."""

    code = "database_unavailable"

    def __init__(self, url: str, detail: str) -> None:
        self.url = url
        super().__init__(
            f"basis data tidak dapat diakses ({url}): {detail}",
            f"database unavailable ({url}): {detail}",
        )


class WorkflowError(AduanError):
    """The procedure does not allow what was asked."""

    code = "workflow"


class InvalidTransitionError(WorkflowError):
    """The action is not possible from the case's current status."""

    code = "invalid_transition"

    def __init__(self, case_ref: str, status: str, action: str) -> None:
        self.case_ref = case_ref
        self.status = status
        self.action = action
        super().__init__(
            f"tindakan '{action}' tidak dapat dilakukan pada kasus {case_ref} berstatus '{status}'",
            f"action '{action}' is not allowed on case {case_ref} in status '{status}'",
        )


class PermissionDeniedError(WorkflowError):
    """The actor's role may not take this action in this status (deny by default)."""

    code = "forbidden"

    def __init__(self, case_ref: str, status: str, action: str, role: str) -> None:
        self.case_ref = case_ref
        self.status = status
        self.action = action
        self.role = role
        super().__init__(
            f"peran '{role}' tidak berwenang melakukan '{action}' pada status '{status}' "
            f"(kasus {case_ref})",
            f"role '{role}' may not take '{action}' in status '{status}' (case {case_ref})",
        )


class RuleViolationError(WorkflowError):
    """A guard of the procedure failed; ``rule`` names it (e.g. ``apip_requires_approval``)."""

    code = "rule_violation"

    def __init__(self, case_ref: str, rule: str, message_id: str, message_en: str) -> None:
        self.case_ref = case_ref
        self.rule = rule
        super().__init__(
            f"kasus {case_ref}: {message_id} [{rule}]", f"case {case_ref}: {message_en} [{rule}]"
        )


HTTP_STATUS: dict[type[AduanError], int] = {
    InputError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationError: 401,
    ThrottledError: 429,
    AccessDeniedError: 403,
    PermissionDeniedError: 403,
    InvalidTransitionError: 409,
    RuleViolationError: 409,
    WorkflowError: 409,
    AduanError: 400,
}


def http_status(error: AduanError) -> int:
    """Return the HTTP status for an error: the entry of its nearest class in ``HTTP_STATUS``."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 400
