"""The one error hierarchy of Aduan; every error carries facts and builds its own message.

A message is a Bahasa Indonesia msgid of the gettext catalog (marked with ``N_``) with
``%(name)s`` placeholders for the facts; its English comes from the catalog
(``aduan.locale``). Entry points show ``str(error)`` ("Indonesian / English", one text when
both read alike) or ``error.text(lang)``; the API maps classes to HTTP statuses with
``HTTP_STATUS``.

    AduanError
    ├── InputError                 bad input: names the field and the rule (400/422)
    ├── NotFoundError              unknown case, service, unit, user … (404)
    ├── ConflictError              stale version: someone changed the case first (409)
    ├── AuthenticationError        no valid login, session or token (401)
    ├── ThrottledError             too many attempts from one place; retry later (429)
    ├── AccessDeniedError          the caller's role may not use this at all, or bad CSRF (403)
    ├── DatabaseUnavailableError   the store cannot be reached or stays locked too long (API: 503)
    │   ├── StorageRefusedError    the store is read-only or full: reads go on, writes wait (503)
    │   └── TransientConflictError  a deadlock or serialisation failure, still so after retries
    └── WorkflowError              the procedure does not allow it (409 / 403)
        ├── InvalidTransitionError  action not possible from the current status
        ├── PermissionDeniedError   role may not take the action (403)
        └── RuleViolationError      a guard of the procedure failed, naming the rule
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aduan.locale import SOURCE_LANGUAGE, translate
from aduan.workflow.states import N_

# The message of a text that is the same in every language and not a msgid (a parser's or the
# operating system's own words): ``InputError(field, rule, VERBATIM, text=...)``.
VERBATIM = "%(text)s"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A fact that is itself text: msgids shown in the error's language, joined by ``sep``."""

    msgids: tuple[str, ...]
    sep: str = "; "

    def in_language(self, lang: str) -> str:
        """The msgids translated into ``lang`` and joined."""
        return self.sep.join(translate(msgid, lang) for msgid in self.msgids)


@dataclass(frozen=True, slots=True)
class Wording:
    """A fact that is text kept outside the catalog with its own wording in each language.

    For data that carries its translations itself (the IKM elements of ``reports.ikm``).
    """

    by_language: Mapping[str, str]

    def in_language(self, lang: str) -> str:
        """The wording in ``lang``, else in Bahasa Indonesia."""
        return self.by_language.get(lang, self.by_language[SOURCE_LANGUAGE])


class AduanError(Exception):
    """Base of every error Aduan raises on purpose.

    Args:
        message: The Indonesian msgid, ``%(name)s`` placeholders for ``facts``.
        **facts: The values of the placeholders; a ``Phrase`` or ``Wording`` is shown in the
            message's language.
    """

    code = "error"

    def __init__(self, message: str, /, **facts: object) -> None:
        self.msgid = message
        self.facts = facts
        # The texts are made when read, not here: many errors are raised only to be caught
        # (the authority guards, tried for every action a page offers), and rendering both
        # languages cost most of raising one.
        super().__init__(message)

    @property
    def message_id(self) -> str:
        """The message in Bahasa Indonesia, its facts filled in."""
        return self.text(SOURCE_LANGUAGE)

    @property
    def message_en(self) -> str:
        """The message in English, its facts filled in."""
        return self.text("en")

    def __str__(self) -> str:
        """Both languages, "Indonesian / English"; one text when both read alike."""
        message_id, message_en = self.message_id, self.message_en
        return message_id if message_id == message_en else f"{message_id} / {message_en}"

    def text(self, lang: str) -> str:
        """The message in ``lang``, its facts filled in."""
        if not self.facts:
            return translate(self.msgid, lang)
        values = {
            name: value.in_language(lang) if isinstance(value, Phrase | Wording) else value
            for name, value in self.facts.items()
        }
        return translate(self.msgid, lang) % values


class InputError(AduanError):
    """A field of a command breaks a rule; nothing was written."""

    code = "invalid_input"

    def __init__(self, field: str, rule: str, message: str, /, **facts: object) -> None:
        self.field = field
        self.rule = rule
        super().__init__(message, **facts)

    def text(self, lang: str) -> str:
        """``field: message`` in ``lang``."""
        return f"{self.field}: {super().text(lang)}"


class NotFoundError(AduanError):
    """A referenced entity does not exist."""

    code = "not_found"

    def __init__(self, entity: str, key: object) -> None:
        self.entity = entity
        self.key = key
        super().__init__(N_("%(entity)s '%(key)s' tidak ditemukan"), entity=entity, key=key)

    def text(self, lang: str) -> str:
        """The message in ``lang``; an entity named ``"kasus/case"`` gives each its own word."""
        entity = self.entity
        if entity.count("/") == 1:
            in_id, in_en = entity.split("/")
            entity = in_id if lang == SOURCE_LANGUAGE else in_en
        return translate(self.msgid, lang) % {"entity": entity, "key": self.key}


class ConflictError(AduanError):
    """The case changed since the caller read it (optimistic locking)."""

    code = "conflict"

    def __init__(self, case_ref: str, expected_version: int, actual_version: int | None) -> None:
        self.case_ref = case_ref
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            N_(
                "kasus %(case_ref)s sudah diubah orang lain (versi %(expected)s → %(actual)s); "
                "muat ulang lalu coba lagi"
            ),
            case_ref=case_ref,
            expected=expected_version,
            actual="?" if actual_version is None else actual_version,
        )


class AuthenticationError(AduanError):
    """The caller is not logged in, or the credentials are wrong (never saying which part)."""

    code = "unauthenticated"

    def __init__(self, reason: str, message: str, /, **facts: object) -> None:
        self.reason = reason
        super().__init__(message, **facts)


class ThrottledError(AduanError):
    """Too many attempts (logins, public submissions) from one place; wait ``retry_after`` s."""

    code = "throttled"

    def __init__(self, what: str | Wording, retry_after: int) -> None:
        self.what = what  # what was tried: a word alike in both languages, or its wordings
        self.retry_after = max(1, retry_after)
        super().__init__(
            N_("terlalu banyak percobaan (%(what)s); coba lagi dalam %(minutes)s menit"),
            what=what,
            minutes=max(1, -(-self.retry_after // 60)),
        )


class AccessDeniedError(AduanError):
    """The caller may not use this function at all (deny by default), naming the rule."""

    code = "access_denied"

    def __init__(self, rule: str, message: str, /, **facts: object) -> None:
        self.rule = rule
        super().__init__(message, **facts)


class DatabaseUnavailableError(AduanError):
    """The database cannot be reached or is locked for too long (the storage adapters raise it)."""

    code = "database_unavailable"

    def __init__(self, url: str, detail: str) -> None:
        self.url = url
        super().__init__(
            N_("basis data tidak dapat diakses (%(url)s): %(detail)s"), url=url, detail=detail
        )


READ_ONLY, FULL = "read_only", "full"  # why storage refuses writes (``StorageRefusedError``)


class StorageRefusedError(DatabaseUnavailableError):
    """The database refuses writes: its file or disk is read-only, or the disk is full.

    Nothing of the refused change is kept (the transaction rolled back); reads still work.
    """

    code = "storage_refused"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.url = ""
        message = (
            N_(
                "penyimpanan basis data penuh: perubahan tidak disimpan; "
                "coba lagi nanti atau hubungi pengelola sistem"
            )
            if reason == FULL
            else N_(
                "basis data hanya dapat dibaca: perubahan tidak disimpan; "
                "coba lagi nanti atau hubungi pengelola sistem"
            )
        )
        AduanError.__init__(self, message)


class TransientConflictError(DatabaseUnavailableError):
    """The database broke a deadlock or a serialisation conflict by failing this transaction.

    Nothing of it was kept; the use case is run again (``service.retry``) before this reaches
    anyone (503).
    """

    code = "database_busy"

    def __init__(self) -> None:
        self.url = ""
        AduanError.__init__(
            self,
            N_(
                "basis data sedang sibuk dengan perubahan lain; tidak ada yang tersimpan, coba lagi"
            ),
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
            N_(
                "tindakan '%(action)s' tidak dapat dilakukan pada kasus %(case_ref)s "
                "berstatus '%(status)s'"
            ),
            case_ref=case_ref,
            status=status,
            action=action,
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
            N_(
                "peran '%(role)s' tidak berwenang melakukan '%(action)s' pada status "
                "'%(status)s' (kasus %(case_ref)s)"
            ),
            case_ref=case_ref,
            status=status,
            action=action,
            role=role,
        )


class RuleViolationError(WorkflowError):
    """A guard of the procedure failed; ``rule`` names it (e.g. ``apip_requires_approval``)."""

    code = "rule_violation"

    def __init__(self, case_ref: str, rule: str, message: str, /, **facts: object) -> None:
        self.case_ref = case_ref
        self.rule = rule
        super().__init__(message, **facts)

    def text(self, lang: str) -> str:
        """``kasus <ref>: message [rule]`` in ``lang``."""
        frame = translate(N_("kasus %(case_ref)s: %(message)s [%(rule)s]"), lang)
        return frame % {"case_ref": self.case_ref, "message": super().text(lang), "rule": self.rule}


HTTP_STATUS: dict[type[AduanError], int] = {
    InputError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationError: 401,
    ThrottledError: 429,
    AccessDeniedError: 403,
    DatabaseUnavailableError: 503,
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
