"""Reference data, deadline alarms and calendar overrides in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aduan.adapters.memory.store import Data
from aduan.catalog.orgchart import OrgChart, Position, StaffUser, Unit, build_orgchart
from aduan.catalog.services import Service
from aduan.catalog.templates import AnswerTemplate
from aduan.escalation.calendar import Override
from aduan.escalation.deadlines import Alarm, DeadlineKind
from aduan.ports import (
    DueAlarm,
)


class InMemoryReferenceRepository:
    """The catalog and the org chart in a unit of work's working copy."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def services(self) -> list[Service]:
        """All services by code."""
        return [Service.model_validate(row) for _, row in sorted(self._data.services.items())]

    def service(self, code: str) -> Service | None:
        """One service, or None."""
        row = self._data.services.get(code)
        return None if row is None else Service.model_validate(row)

    def put_services(self, services: list[Service], now: datetime) -> None:
        """Insert or replace services by code."""
        for s in services:
            self._data.services[s.code] = s.model_dump(mode="json")

    def user(self, username: str) -> StaffUser | None:
        """One staff user, or None."""
        rows = (row for row in self._data.chart[2] if row["username"] == username)
        return next((StaffUser.model_validate(row) for row in rows), None)

    def orgchart(self) -> OrgChart:
        """Return the current chart."""
        units, positions, users = self._data.chart
        return build_orgchart(
            [Unit.model_validate(u) for u in units],
            [Position.model_validate(p) for p in positions],
            [StaffUser.model_validate(u) for u in users],
        )

    def answer_templates(self) -> list[AnswerTemplate]:
        """The answer templates, by name."""
        found = [AnswerTemplate.model_validate(r) for r in self._data.templates.values()]
        return sorted(found, key=lambda t: (t.name, t.id or 0))

    def put_answer_template(self, template: AnswerTemplate, now: datetime) -> int:
        """Add (no id) or replace (by id) a template; its id."""
        template_id = template.id or max(self._data.templates, default=0) + 1
        row = template.model_copy(update={"id": template_id}).model_dump(mode="json")
        self._data.templates[template_id] = row
        return template_id

    def delete_answer_template(self, template_id: int) -> bool:
        """Remove a template; False when there was none."""
        return self._data.templates.pop(template_id, None) is not None

    def put_orgchart(self, chart: OrgChart) -> None:
        """Replace the chart as a whole."""
        self._data.chart = (
            [u.model_dump(mode="json") for u in chart.units.values()],
            [p.model_dump(mode="json") for p in chart.positions.values()],
            [u.model_dump(mode="json") for u in chart.users.values()],
        )


class InMemoryAlarmRepository:
    """Alarms in a unit of work's working copy; writers are serialised, so no locking."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def replace(self, case_id: int, kinds: frozenset[DeadlineKind], items: Sequence[Alarm]) -> None:
        data = self._data
        for alarm_id, alarm in list(data.alarms.items()):
            if alarm.case_id == case_id and alarm.kind in kinds and alarm_id not in data.fired:
                del data.alarms[alarm_id]
        mine = {(a.kind, a.point, a.due_at) for a in data.alarms.values() if a.case_id == case_id}
        for a in items:
            if (a.kind, a.point, a.due_at) in mine:
                continue  # it rang already: a deadline moved away and back never rings twice
            alarm_id = data.next_alarm_id
            data.next_alarm_id += 1
            data.alarms[alarm_id] = DueAlarm(
                alarm_id, case_id, a.kind, a.point, a.due_at, a.fire_at
            )

    def claim_due(self, now: datetime, limit: int) -> list[DueAlarm]:
        due = [
            a
            for i, a in self._data.alarms.items()
            if i not in self._data.fired and a.fire_at <= now
        ]
        return sorted(due, key=lambda a: (a.fire_at, a.id))[:limit]

    def mark_fired(self, ids: Sequence[int], now: datetime, worker: str) -> None:
        for alarm_id in ids:
            self._data.fired.setdefault(alarm_id, (now, worker))

    def pending(self, case_id: int) -> list[DueAlarm]:
        mine = [
            a
            for i, a in self._data.alarms.items()
            if a.case_id == case_id and i not in self._data.fired
        ]
        return sorted(mine, key=lambda a: (a.fire_at, a.id))


class InMemoryCalendarRepository:
    """Calendar overrides in a unit of work's working copy."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def overrides(self) -> list[Override]:
        return [self._data.overrides[on] for on in sorted(self._data.overrides)]

    def put(self, override: Override, now: datetime) -> None:
        self._data.overrides[override.on] = override

    def remove(self, on: date) -> bool:
        return self._data.overrides.pop(on, None) is not None
