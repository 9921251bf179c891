"""Rate limits kept in the database, shared by every worker and instance (issue 12 item 5).

A limit is a bucket (a device, an address, a username at an address) allowed ``limit`` hits
in a sliding ``window``: hits are counted per slot of a twelfth of the window, and the slots
that started inside the window add up. Counting and checking happen in one write transaction
with the buckets locked (PostgreSQL: advisory locks; SQLite: writers take turns), so five
means five however many workers ask at once.

The public intake counts each device (the ``aduan_device`` cookie; without one, the address
is one device) and each address; an address the administrator lists (the MPP kiosk, the
office network) has its larger allowance instead, shared by its devices. Staff are never
limited (the web layer does not ask for them). The complainant's PIN tries on a tracking code
are counted per code (``count_pin_try``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from aduan.ports import AccountRepository, Allowance, AuthEvent
from aduan.service.administrator import require_admin
from aduan.service.deps import Deps
from aduan.workflow.errors import InputError, NotFoundError, ThrottledError, Wording
from aduan.workflow.states import N_

log = structlog.get_logger()

SLOTS = 12  # slots per window: the window slides by a twelfth of itself
HOUR = timedelta(hours=1)
INTAKE_PER_DEVICE = 10  # public submissions per device and hour (ADUAN_INTAKE_PER_DEVICE)
INTAKE_PER_ADDRESS = 30  # … per address and hour, every device behind it (ADUAN_INTAKE_PER_ADDRESS)
MAX_PER_HOUR = 100_000
MAX_LABEL = 100
HITS_KEPT = timedelta(days=1)  # the longest window; older slots are purged
INTAKE = Wording({"id": "pengaduan publik", "en": "public submissions"})
PIN_TRIES = 10  # PIN tries per tracking code and hour (withdraw, dispute, reply on /lacak)
PIN = "PIN"


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``limit`` hits in ``window`` for ``bucket``."""

    bucket: str
    limit: int
    window: timedelta


def slot_of(at: datetime, window: timedelta) -> datetime:
    """The start of the slot ``at`` falls in (slots of ``window / SLOTS``, from the epoch)."""
    size = window.total_seconds() / SLOTS
    seconds = math.floor(at.timestamp() / size) * size
    return datetime.fromtimestamp(seconds, UTC)


def wait_for(slots: Sequence[tuple[datetime, int]], limit: Limit, now: datetime) -> int:
    """Seconds until one more hit fits (0: now), given the bucket's slots in the window."""
    total = sum(n for _, n in slots)
    if total < limit.limit:
        return 0
    for start, n in slots:  # oldest first: the window must slide past these
        total -= n
        if total < limit.limit:
            return max(1, math.ceil((start + limit.window - now).total_seconds()))
    return max(1, math.ceil(limit.window.total_seconds()))


def reserve(repo: AccountRepository, limits: Sequence[Limit], now: datetime) -> int:
    """Count one hit in every bucket, or none and return the seconds to wait (in a write uow).

    The buckets are locked first, so concurrent callers are counted one after the other.
    """
    repo.lock_buckets([limit.bucket for limit in limits])
    wait = 0
    for limit in limits:
        since = slot_of(now - limit.window, limit.window) + limit.window / SLOTS
        wait = max(wait, wait_for(repo.hits(limit.bucket, since), limit, now))
    if wait:
        return wait
    for limit in limits:
        repo.add_hit(limit.bucket, slot_of(now, limit.window))
    return 0


def digest(value: str) -> str:
    """A short digest that names a bucket without storing what it stands for."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


# --- the public intake ------------------------------------------------------------------------


def allowance_for(allowances: Sequence[Allowance], address: str) -> Allowance | None:
    """The most specific listed network that holds ``address`` (None: none, or no address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    found: tuple[int, Allowance] | None = None
    for allowance in allowances:
        network = ipaddress.ip_network(allowance.network)
        inside = ip.version == network.version and ip in network
        if inside and (found is None or network.prefixlen > found[0]):
            found = (network.prefixlen, allowance)
    return found[1] if found else None


def intake_limits(
    allowance: Allowance | None,
    address: str,
    device: str | None,
    per_device: int,
    per_address: int,
) -> list[Limit]:
    """The buckets a public submission counts in (see the module's docstring)."""
    if allowance is not None:
        return [Limit(f"intake:ip:{address}", allowance.per_hour, HOUR)]
    who = f"dev:{digest(device)}" if device else f"nodev:{address}"
    return [
        Limit(f"intake:{who}", per_device, HOUR),
        Limit(f"intake:ip:{address}", per_address, HOUR),
    ]


def count_public_submission(
    deps: Deps,
    address: str,
    device: str | None,
    *,
    per_device: int = INTAKE_PER_DEVICE,
    per_address: int = INTAKE_PER_ADDRESS,
) -> None:
    """Count one public submission from ``device`` at ``address``, or raise ``ThrottledError``."""
    now = deps.clock.now()
    with deps.uow() as uow:
        allowance = allowance_for(uow.accounts.allowances(), address)
        limits = intake_limits(allowance, address, device, per_device, per_address)
        wait = reserve(uow.accounts, limits, now)
        uow.commit()
    if wait:
        log.warning("intake_throttled", client_ip=address, listed=allowance is not None)
        raise ThrottledError(INTAKE, wait)


# --- the complainant's PIN -----------------------------------------------------------------


def count_pin_try(deps: Deps, code: str, *, tries: int = PIN_TRIES) -> None:
    """Count one PIN try on the case ``code``, or raise ``ThrottledError`` past ``tries``/hour.

    Per tracking code, whoever asks: a code and PIN are guessed online only ``tries`` times
    an hour, across every worker and instance (the try is a POST that writes anyway).
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        wait = reserve(uow.accounts, [Limit(f"pin:{digest(code)}", tries, HOUR)], now)
        uow.commit()
    if wait:
        log.warning("pin_throttled")
        raise ThrottledError(PIN, wait)


# --- the administrator's list -------------------------------------------------------------


def normal_network(raw: str) -> str:
    """``raw`` as a normalised CIDR (an address alone is its /32 or /128), else ``InputError``."""
    text = raw.strip()
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise InputError(
            "network",
            "cidr",
            N_("alamat atau jaringan tidak valid (mis. 203.0.113.7 atau 203.0.113.0/24): %(raw)r"),
            raw=text[:64],
        ) from None


def list_allowances(deps: Deps, by: str | None) -> list[Allowance]:
    """The listed networks and their allowances; administrators only."""
    with deps.uow(readonly=True) as uow:
        require_admin(uow, by)
        return uow.accounts.allowances()


def set_allowance(
    deps: Deps, network: str, per_hour: int, label: str, *, by: str, client_ip: str = "local"
) -> Allowance:
    """List ``network`` with ``per_hour`` public submissions per address; audited. Admin only."""
    cidr = normal_network(network)
    if not 1 <= per_hour <= MAX_PER_HOUR:
        raise InputError(
            "per_hour",
            "range",
            N_("batas per jam harus bilangan bulat %(min)s–%(max)s"),
            min=1,
            max=MAX_PER_HOUR,
        )
    text = label.strip()
    if not text:
        raise InputError("label", "required", N_("keterangan wajib diisi (mis. Anjungan MPP)"))
    if len(text) > MAX_LABEL:
        raise InputError(
            "label", "max_length", N_("paling panjang %(limit)s karakter"), limit=MAX_LABEL
        )
    now = deps.clock.now()
    allowance = Allowance(cidr, per_hour, text, by, now)
    with deps.uow() as uow:
        require_admin(uow, by)
        uow.accounts.put_allowance(allowance)
        detail = f"{cidr} {per_hour}/h {text}"
        uow.accounts.record(AuthEvent(now, "allowance_set", by, client_ip, detail))
        uow.commit()
    log.info("allowance_set", network=cidr, per_hour=per_hour, by=by)
    return allowance


def remove_allowance(deps: Deps, network: str, *, by: str, client_ip: str = "local") -> None:
    """Take ``network`` off the list (its addresses get the usual limits); audited. Admin only."""
    cidr = normal_network(network)
    now = deps.clock.now()
    with deps.uow() as uow:
        require_admin(uow, by)
        if not uow.accounts.drop_allowance(cidr):
            raise NotFoundError("jaringan/network", cidr)
        uow.accounts.record(AuthEvent(now, "allowance_removed", by, client_ip, cidr))
        uow.commit()
    log.info("allowance_removed", network=cidr, by=by)
