"""Exceptions in the logs without the personal data they may carry.

A traceback is the type, the message and the frames (file, line, function, source line) of
each exception in the chain — never the frames' local variables (structlog's default console
renderer shows them through ``rich``: a failing job logged the complainants it held). The
message is cut down where it is known to quote data: a database error keeps its first line
and its SQL, not the parameters nor PostgreSQL's ``DETAIL``; a pydantic error keeps the fields
and rules, not the input. Anything left that looks like an email address, a phone or ID
number, or a quoted value is masked. Logged as text on the console and as a structure in JSON
(``ADUAN_LOG_FORMAT=json`` dropped exception details before).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import StatementError

MASK = "[…]"
_EMAIL = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")
_DIGITS = re.compile(r"\+?\d[\d .\-]{5,}\d")  # phones, NIK, licence numbers
# A quoted value, unless it reads as an identifier (a constraint, column or table name).
_QUOTED = re.compile(r"""(["'])(?![A-Za-z_][A-Za-z0-9_.]*\1)((?:(?!\1).)*)\1""")


def mask(text: str) -> str:
    """``text`` with email addresses, long digit runs and quoted non-identifiers masked."""
    text = _EMAIL.sub(MASK, text)
    text = _QUOTED.sub(lambda m: f"{m.group(1)}{MASK}{m.group(1)}", text)
    return _DIGITS.sub(MASK, text)


def message(exc: BaseException) -> str:
    """What an exception says, without the values it quotes."""
    if isinstance(exc, StatementError):
        orig = exc.orig
        first = str(orig).strip().splitlines()[0] if orig is not None and str(orig).strip() else ""
        kind = f"{type(orig).__module__}.{type(orig).__name__}" if orig is not None else ""
        return mask(f"({kind}) {first}\n[SQL: {exc.statement}]")
    if isinstance(exc, ValidationError):
        found = exc.errors(include_url=False, include_context=False, include_input=False)
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in found]
        return mask(f"{exc.error_count()} validation error(s) for {exc.title}: " + "; ".join(parts))
    return mask(str(exc))


def chain(exc: BaseException) -> list[dict[str, Any]]:
    """The exception and its causes, outermost last (as Python prints them), as dicts."""
    seen: list[dict[str, Any]] = []
    current: BaseException | None = exc
    ids: set[int] = set()
    while current is not None and id(current) not in ids:
        ids.add(id(current))
        frames = [
            {"file": f.filename, "line": f.lineno, "function": f.name, "code": f.line or ""}
            for f in traceback.extract_tb(current.__traceback__)
        ]
        seen.append(
            {
                "type": f"{type(current).__module__}.{type(current).__qualname__}",
                "message": message(current),
                "frames": frames,
            }
        )
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return list(reversed(seen))


def as_text(exc: BaseException) -> str:
    """The chain as a traceback a person reads, with no local variables and masked messages."""
    lines: list[str] = []
    for i, part in enumerate(chain(exc)):
        if i:
            lines.append("\nThe above exception led to the following one:\n")
        lines.append("Traceback (most recent call last):")
        for f in part["frames"]:
            lines.append(f'  File "{f["file"]}", line {f["line"]}, in {f["function"]}')
            if f["code"]:
                lines.append(f"    {f['code']}")
        lines.append(f"{part['type']}: {part['message']}")
    return "\n".join(lines)


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _exception(exc_info: Any) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        found = exc_info[1]
        return found if isinstance(found, BaseException) else None
    return None


def structlog_processor(structured: bool) -> Any:
    """A structlog processor rendering ``exc_info`` this way: a structure for JSON, else text."""

    def process(logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
        exc = _exception(event.pop("exc_info", None))
        if exc is not None:
            event["exception"] = chain(exc) if structured else as_text(exc)
        return event

    return process


class MaskedTracebacks(logging.Filter):
    """The same for the standard library's loggers (uvicorn's "Exception in ASGI application").

    The traceback goes into the message, rendered as above, instead of the usual one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = _exception(record.exc_info) if record.exc_info else None
        if exc is not None:
            record.msg = f"{record.getMessage()}\n{as_text(exc)}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True
