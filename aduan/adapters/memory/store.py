"""The in-memory tables: rows kept as a database keeps them (copied, UTC, JSON through text)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from aduan.adapters.memory.accounts import AccountRows
from aduan.adapters.memory.identity import IdentityRows
from aduan.adapters.memory.outbox import OutboxRows
from aduan.escalation.calendar import Override
from aduan.ports import (
    Attachment,
    DueAlarm,
    InboundRecord,
    PublishedAnswer,
)

Row = dict[str, Any]
# A writer waits for the write lock as long as a SQLite writer waits for the database.
WRITE_LOCK_TIMEOUT_S = 10.0


def stored(row: Row) -> Row:
    """Return ``row`` as the database keeps it: aware datetimes in UTC, JSON copied.

    The row codec gives datetimes only to timestamp columns and lists or dicts only to JSON
    columns, so the value's type says what the column would do with it.
    """
    out: Row = {}
    for name, value in row.items():
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime: store aware UTC only")
            value = value.astimezone(UTC)
        elif isinstance(value, dict | list | tuple):
            value = json.loads(json.dumps(value))
        out[name] = value
    return out


def loaded(row: Row) -> Row:
    """A private copy of a stored row, so nothing read can change what is stored."""
    return copy.deepcopy(row)


@dataclass(slots=True)
class Data:
    """Everything stored. Rows are replaced, never changed in place, so copies stay shallow."""

    cases: dict[int, Row] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    events: dict[int, list[Row]] = field(default_factory=dict)
    reports: dict[int, list[Row]] = field(default_factory=dict)
    services: dict[str, Row] = field(default_factory=dict)
    chart: tuple[list[Row], list[Row], list[Row]] = field(default_factory=lambda: ([], [], []))
    next_id: int = 1
    alarms: dict[int, DueAlarm] = field(default_factory=dict)
    fired: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    outbox: OutboxRows = field(default_factory=OutboxRows)
    overrides: dict[date, Override] = field(default_factory=dict)
    next_alarm_id: int = 1
    accounts: AccountRows = field(default_factory=AccountRows)
    identity: IdentityRows = field(default_factory=IdentityRows)
    units: dict[int, dict[str, datetime]] = field(default_factory=dict)  # case -> unit -> since
    concerns: dict[int, dict[str, Row]] = field(default_factory=dict)  # case -> username -> row
    sealed: set[int] = field(default_factory=set)  # the sealed cases' ids
    templates: dict[int, Row] = field(default_factory=dict)  # answer templates by id
    attachments: dict[int, Attachment] = field(default_factory=dict)  # evidence files by id
    inbound: dict[int, InboundRecord] = field(default_factory=dict)  # inbound emails by id
    # The published Q&A entries by case id, with when they were published (issue 14 item 7).
    public_answers: dict[int, tuple[PublishedAnswer, datetime]] = field(default_factory=dict)

    def copy(self) -> Data:
        return Data(
            dict(self.cases),
            dict(self.codes),
            {k: list(v) for k, v in self.events.items()},
            {k: list(v) for k, v in self.reports.items()},
            dict(self.services),
            self.chart,
            self.next_id,
            dict(self.alarms),
            dict(self.fired),
            self.outbox.copy(),
            dict(self.overrides),
            self.next_alarm_id,
            accounts=self.accounts.copy(),
            identity=self.identity.copy(),
            units={k: dict(v) for k, v in self.units.items()},
            concerns={k: dict(v) for k, v in self.concerns.items()},
            sealed=set(self.sealed),
            templates=dict(self.templates),
            attachments=dict(self.attachments),
            inbound=dict(self.inbound),
            public_answers=dict(self.public_answers),
        )
