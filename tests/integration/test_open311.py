"""Open311 lists (issue 14 item 6): filters and pages in the query, on every store.

An older date range returns its requests (not the newest 1,000 filtered afterwards), a page
walks a long list, and the public list never shows a staff-entered or a sealed case, nor any
tracking code: a public request goes by its public id, and a code finds nothing without a key.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aduan import service
from aduan.ports import FixedClock, Open311Query, UnitOfWorkFactory
from aduan.service import Deps
from aduan.service import open311 as clients
from aduan.service.accounts import issue_client_key
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import Channel, Status
from tests.integration.builders import submission

HOUR = timedelta(hours=1)
OPEN = frozenset({Status.RECORDED})


@pytest.fixture
def deps(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> Deps:
    """The service layer on memory, SQLite and PostgreSQL."""
    return Deps(uow=uow_factory, clock=clock)


def client(deps: Deps, name: str) -> int:
    found = clients.client_id(deps, issue_client_key(deps, name))
    assert found is not None
    return found


def filed(deps: Deps, by: int, at: datetime) -> str:
    """A request filed through Open311 by client ``by`` at ``at``; its tracking code."""
    assert isinstance(deps.clock, FixedClock)
    deps.clock.current = at
    command = submission(deps, channel="api")
    return service.submit_complaint(deps, command, open311_client=by).tracking_code


def codes(deps: Deps, **query: object) -> list[str]:
    return [c.request_id for c in clients.list_requests(deps, Open311Query(**query))]  # type: ignore[arg-type]


def test_an_older_range_returns_its_requests_page_by_page(deps: Deps) -> None:
    now = deps.clock.now()
    mine = client(deps, "Aplikasi A")
    long_ago = now - timedelta(days=200)
    old = [filed(deps, mine, long_ago + i * HOUR) for i in range(3)]
    recent = filed(deps, mine, now)
    start, end = long_ago - HOUR, long_ago + 10 * HOUR

    in_range = codes(deps, client=mine, start=start, end=end)
    first = codes(deps, client=mine, start=start, end=end, limit=2)
    second = codes(deps, client=mine, start=start, end=end, offset=2, limit=2)
    default = codes(deps, client=mine, start=now - clients.WINDOW, end=now)

    assert in_range == old[::-1]  # newest first
    assert first + second == old[::-1] and len(first) == 2
    assert default == [recent]


def test_status_service_and_id_filters_are_applied_in_the_query(deps: Deps) -> None:
    now = deps.clock.now()
    mine = client(deps, "Aplikasi A")
    one, two = (filed(deps, mine, now - i * HOUR) for i in (2, 1))
    day = {"client": mine, "start": now - 5 * HOUR, "end": now}

    assert codes(deps, **day, statuses=OPEN) == [two, one]
    assert codes(deps, **day, statuses=frozenset({Status.CLOSED})) == []
    assert codes(deps, **day, service_codes=frozenset({"71204"})) == []
    assert codes(deps, **day, service_codes=frozenset({"15121"})) == [two, one]
    # GeoReport: ids override the other filters (a range that holds neither of them).
    far = {"client": mine, "start": now - 400 * HOUR, "end": now - 300 * HOUR}
    assert codes(deps, **far, codes=frozenset({one})) == [one]


def test_the_public_list_has_every_client_but_no_staff_entered_or_sealed_case(
    deps: Deps,
) -> None:
    now = deps.clock.now()
    first, second = client(deps, "Aplikasi A"), client(deps, "Aplikasi B")
    a = filed(deps, first, now - 3 * HOUR)
    b = filed(deps, second, now - 2 * HOUR)
    sealed = filed(deps, second, now - HOUR)
    service.submit_complaint(
        deps, submission(deps, channel=Channel.WHATSAPP), recorded_by="budi"
    )  # staff-entered: never listed
    with deps.uow() as uow:
        uow.cases.seal(uow.cases.get(sealed).id or 0)
        uow.commit()
    window = {"start": now - 5 * HOUR, "end": now}

    public = codes(deps, client=None, **window)
    assert codes(deps, client=second, **window) == [sealed, b]  # its own, sealed or not
    assert len(public) == 2 and not set(public) & {a, b, sealed}
    found = [clients.client_request(deps, None, p) for p in public]
    assert [f.view.tracking_code for f in found] == [b, a]  # newest first
    assert [f.request_id for f in found] == public
    assert codes(deps, client=None, **window, codes=frozenset(public[1:])) == public[1:]
    assert codes(deps, client=None, **window, codes=frozenset({a, b})) == []
    for code in (a, b, sealed):
        with pytest.raises(NotFoundError):
            clients.client_request(deps, None, code)


def test_a_sealed_request_is_not_found_by_its_public_id(deps: Deps) -> None:
    now = deps.clock.now()
    filer = client(deps, "Aplikasi A")
    code = filed(deps, filer, now)
    [public_id] = codes(deps, client=None, start=now - HOUR, end=now)
    with deps.uow() as uow:
        uow.cases.seal(uow.cases.get(code).id or 0)
        uow.commit()

    with pytest.raises(NotFoundError):
        clients.client_request(deps, None, public_id)
    assert codes(deps, client=None, start=now - HOUR, end=now) == []
    assert codes(deps, client=filer, start=now - HOUR, end=now) == [code]


@pytest.mark.parametrize(
    ("start", "end", "rule"),
    [(10, 0, "after_start"), (0, 91, "max_90_days")],
)
def test_a_range_backwards_or_over_90_days_is_refused(
    deps: Deps, start: int, end: int, rule: str
) -> None:
    now = deps.clock.now()
    with pytest.raises(InputError) as caught:
        clients.window(now, now + timedelta(days=start), now + timedelta(days=end))
    assert (caught.value.field, caught.value.rule) == ("end_date", rule)


def test_the_range_defaults_to_the_last_90_days_or_90_days_from_one_end(deps: Deps) -> None:
    now = deps.clock.now()
    day = timedelta(days=1)

    assert clients.window(now, None, None) == (now - clients.WINDOW, now)
    assert clients.window(now, now - 100 * day, None) == (now - 100 * day, now - 10 * day)
    assert clients.window(now, None, now - day) == (now - 91 * day, now - day)
