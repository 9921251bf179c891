"""Text the database can store and people can read: no control characters (issue 17).

PostgreSQL refuses a NUL byte in text, so a NUL in a form field ended in a 500; other
control characters (escape sequences) have no place in a complaint either and can drive a
terminal that shows a log. Tabs and line breaks stay. One rule, used by every command
(``commands._Command``) and by the inputs that are no command (the login's username).
"""

from __future__ import annotations

import re
from typing import Any

from aduan.workflow.errors import InputError
from aduan.workflow.states import N_

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
RULE = "control_characters"
MESSAGE = N_("berisi karakter kendali (misalnya NUL) yang tidak diizinkan")


def has_control(value: Any) -> bool:
    """Whether ``value`` (a string, or a list or dict of them) holds a control character."""
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, list | tuple):
        return any(has_control(v) for v in value)
    if isinstance(value, dict):
        return any(has_control(k) or has_control(v) for k, v in value.items())
    return False


def checked(field: str, value: str) -> str:
    """``value``, or an ``InputError`` naming ``field`` when it holds a control character."""
    if CONTROL.search(value):
        raise InputError(field, RULE, MESSAGE)
    return value
