"""Fixtures for the HTTP tests: the app on a real uvicorn server, staff with bearer tokens."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aduan.config import Settings
from aduan.ports import FixedClock
from aduan.service import Deps, accounts
from aduan.web.app import create_app
from aduan.workflow.states import Role
from tests.conftest import wired
from tests.web.server import HTTP_TIMEOUT, live

# One sample user of the shipped org chart per role.
ROLE_USERS = {
    Role.OFFICER: "budi",
    Role.SUPERVISOR: "sari",
    Role.HEAD: "dewi",
    Role.AGENCY_OFFICER: "tono",
    Role.AGENCY_HEAD: "rina",
    Role.APIP: "irfan",
    Role.ADMIN: "admin",
}


@dataclass
class Web:
    """The running app: its URL, its dependencies and HTTP clients that close at the end."""

    url: str
    deps: Deps
    clients: list[httpx.Client] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    by_user: dict[str, httpx.Client] = field(default_factory=dict)
    app: FastAPI | None = None

    def anon(self, **kwargs: Any) -> httpx.Client:
        """A client without credentials."""
        client = httpx.Client(base_url=self.url, timeout=HTTP_TIMEOUT, **kwargs)
        self.clients.append(client)
        return client

    def staff(self, username: str) -> httpx.Client:
        """A client sending ``username``'s bearer token (one per user, kept open)."""
        if username not in self.tokens:
            self.tokens[username] = accounts.issue_token(self.deps, username, "test")
            headers = {"Authorization": f"Bearer {self.tokens[username]}"}
            self.by_user[username] = self.anon(headers=headers)
        return self.by_user[username]

    def role(self, role: Role) -> httpx.Client:
        """A client for the sample user with ``role``."""
        return self.staff(ROLE_USERS[role])


@contextlib.contextmanager
def serving(deps: Deps, url: str) -> Iterator[Web]:
    """The app over ``deps`` on a live uvicorn server (no background scheduler)."""
    app = create_app(deps, Settings(database_url=url), start_background=False)
    web = Web("", deps, app=app)
    with live(app) as base:
        web.url = base
        try:
            yield web
        finally:
            for client in web.clients:
                client.close()


@pytest.fixture
def web(deps: Deps, db_url: str) -> Iterator[Web]:
    """The app on SQLite and on PostgreSQL, seeded, with no cases yet."""
    with serving(deps, db_url) as running:
        yield running


@pytest.fixture
def sqlite_web(sqlite_url: str, clock: FixedClock) -> Iterator[Web]:
    """The app on a fresh SQLite file only (for what the database does not change)."""
    with wired(sqlite_url, clock) as deps, serving(deps, sqlite_url) as running:
        yield running
