"""The complainant's PIN: the second factor that lets a tracking code withdraw or dispute.

Issue 16 item 5: a tracking code is printed on receipts and read out on the phone, so it alone
must not act on a case. Each new case gets a PIN, shown once on the receipt and kept only as an
argon2id hash. The hash is deliberately cheap (one pass over 4 MiB, a few milliseconds): every
submission pays for it, the code-and-PIN pair is guessed online only through the rate-limited
tracking endpoints, and whoever could read the hashes could read the cases themselves.

A request filed through Open311 also gets a public id, what the keyless Open311 list shows in
place of its tracking code: random, so it neither opens the case nor tells one case from the
next (``aduan.service.open311``).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PIN_DIGITS = 6
_hasher = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1)


def new_pin() -> str:
    """A random PIN of ``PIN_DIGITS`` digits."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def new_public_id() -> str:
    """A random public id of an Open311 request: 24 hex digits (96 bits), never a code."""
    return secrets.token_hex(12)


def hash_pin(pin: str) -> str:
    """The stored form of a PIN."""
    return _hasher.hash(pin)


def pin_matches(stored: str, pin: str) -> bool:
    """Whether ``pin`` (as typed: spaces ignored) is the one ``stored`` was made from."""
    typed = "".join(pin.split())
    try:
        return bool(typed) and _hasher.verify(stored, typed)
    except (VerificationError, InvalidHashError):
        return False
