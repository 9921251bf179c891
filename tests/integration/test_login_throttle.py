"""The login throttle and the login audit (issue 17): exact, for unknown names too, kept small."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from aduan.adapters.sql.tables import auth_events, rate_hits
from aduan.ports import FixedClock
from aduan.service import Deps, accounts, limits
from aduan.workflow.errors import AuthenticationError, ThrottledError
from tests.conftest import engine_of

PASSWORD = "kata-sandi-yang-panjang"
ADDRESS = "203.0.113.9"


def attempt(deps: Deps, username: str, password: str, address: str = ADDRESS) -> int:
    """The HTTP status a login would get: 201, 401 or 429."""
    try:
        accounts.login(deps, username, password, address)
    except AuthenticationError:
        return 401
    except ThrottledError:
        return 429
    return 201


def audit_rows(deps: Deps) -> list[tuple[str, str, str, int]]:
    with engine_of(deps).connect() as conn:
        rows = conn.execute(
            sa.select(
                auth_events.c.event,
                auth_events.c.username,
                auth_events.c.client_ip,
                auth_events.c.count,
            ).order_by(auth_events.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_an_unknown_username_is_throttled_and_never_stored(deps: Deps) -> None:
    guesses = [attempt(deps, "Rahasia123!", "tebakan") for _ in range(6)]

    assert guesses == [401] * 5 + [429]
    rows = audit_rows(deps)
    assert rows == [
        ("login_failed", "?", ADDRESS, 5),
        ("login_throttled", "?", ADDRESS, 1),
    ]
    with engine_of(deps).connect() as conn:
        buckets = conn.execute(sa.select(rate_hits.c.bucket)).scalars().all()
    assert not any("rahasia" in b.lower() for b in buckets)


def test_many_unknown_usernames_from_one_address_are_throttled(deps: Deps) -> None:
    accounts.set_password(deps, "budi", PASSWORD)

    guesses = [attempt(deps, f"tebakan{i}", "salah") for i in range(accounts.ADDRESS_FAILURES)]
    after = attempt(deps, "tebakan-lagi", "salah")
    budi_here = attempt(deps, "budi", PASSWORD)
    budi_elsewhere = attempt(deps, "budi", PASSWORD, "198.51.100.4")

    assert guesses == [401] * 30
    assert after == 429
    assert budi_here == 429  # the address is over its failures: no name is an oracle
    assert budi_elsewhere == 201
    assert ("login_failed", "?", ADDRESS, 30) in audit_rows(deps)


def test_successful_logins_do_not_use_up_the_address(deps: Deps) -> None:
    accounts.set_password(deps, "budi", PASSWORD)

    logins = [attempt(deps, "budi", PASSWORD) for _ in range(accounts.ADDRESS_FAILURES + 5)]

    assert logins == [201] * 35  # an office behind one address logs in all morning


def test_the_retention_job_deletes_old_sign_ins_and_keeps_credential_changes(
    deps: Deps, clock: FixedClock
) -> None:
    accounts.set_password(deps, "budi", PASSWORD)
    assert attempt(deps, "budi", "salah") == 401
    assert attempt(deps, "budi", PASSWORD) == 201
    assert attempt(deps, "entah", "salah") == 401
    clock.current += timedelta(days=400)
    assert attempt(deps, "budi", "salah") == 401  # recent: kept

    purged = accounts.purge_sign_ins(deps, 365)

    assert purged == {"auth_events": 3, "rate_slots": 2}
    assert [(e, u, n) for e, u, _, n in audit_rows(deps)] == [
        ("password_set", "budi", 1),
        ("login_failed", "budi", 1),
    ]


def test_the_audit_still_refuses_other_changes(deps: Deps) -> None:
    accounts.set_password(deps, "budi", PASSWORD)
    attempt(deps, "budi", "salah")

    for statement in (
        "DELETE FROM auth_events WHERE event = 'password_set'",
        "UPDATE auth_events SET username = 'orang-lain'",
        "UPDATE auth_events SET count = 0 WHERE event = 'login_failed'",
    ):
        with (
            pytest.raises(sa_exc.DBAPIError, match="append-only"),
            engine_of(deps).begin() as conn,
        ):
            conn.execute(sa.text(statement))
    assert [(e, n) for e, _, _, n in audit_rows(deps)] == [
        ("password_set", 1),
        ("login_failed", 1),
    ]


def test_the_postgresql_throttle_is_exact_under_concurrency(pg_deps: Deps) -> None:
    accounts.set_password(pg_deps, "budi", PASSWORD)
    start = threading.Barrier(12)
    results: list[int] = []
    lock = threading.Lock()

    def guess() -> None:
        start.wait()
        status = attempt(pg_deps, "budi", "tebakan-salah")
        with lock:
            results.append(status)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(results) == [401] * 5 + [429] * 7  # five means five
    assert sorted((e, n) for e, _, _, n in audit_rows(pg_deps)) == [
        ("login_failed", 5),  # one entry each, counted, however the attempts interleaved
        ("login_throttled", 7),
        ("password_set", 1),
    ]


def test_the_intake_limit_counts_each_bucket_once_per_hit(deps: Deps, clock: FixedClock) -> None:
    def submit(address: str, device: str | None) -> int:
        try:
            limits.count_public_submission(deps, address, device, per_device=2, per_address=3)
        except ThrottledError:
            return 429
        return 201

    first = [submit(ADDRESS, "a"), submit(ADDRESS, "a"), submit(ADDRESS, "a")]
    no_cookie = [submit(ADDRESS, None), submit(ADDRESS, None)]
    clock.current += timedelta(minutes=61)
    later = [submit(ADDRESS, "a"), submit(ADDRESS, "a"), submit(ADDRESS, "a")]

    assert first == [201, 201, 429]
    assert no_cookie == [201, 429]  # the address's third; then the address is full
    assert later == [201, 201, 429]  # the hour has passed
