"""The reference data over SQL: the service catalog, the organisation chart and the calendar."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from aduan.adapters.sql.prepared import Prepared
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import (
    answer_templates,
    calendar_overrides,
    positions,
    services,
    units,
    users,
)
from aduan.catalog.orgchart import OrgChart, Position, StaffUser, Unit, build_orgchart
from aduan.catalog.services import Service
from aduan.catalog.templates import AnswerTemplate
from aduan.escalation.calendar import Override

_USER = Prepared(select(users).where(users.c.username == bindparam("key")))


_TEMPLATE_FIELDS = ("id", "name", "service_code", "problem_type", "text", "updated_by")


class SqlReferenceRepository:
    """The catalog and org chart tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def answer_templates(self) -> list[AnswerTemplate]:
        rows = self.conn.execute(
            select(answer_templates).order_by(answer_templates.c.name, answer_templates.c.id)
        ).mappings()
        return [AnswerTemplate.model_validate({k: r[k] for k in _TEMPLATE_FIELDS}) for r in rows]

    def put_answer_template(self, template: AnswerTemplate, now: datetime) -> int:
        values = {
            **template.model_dump(mode="json", include=set(_TEMPLATE_FIELDS) - {"id"}),
            "updated_at": now,
        }
        if template.id is None:
            stmt = insert(answer_templates).values(values).returning(answer_templates.c.id)
            return int(self.conn.execute(stmt).scalar_one())
        self.conn.execute(
            update(answer_templates).where(answer_templates.c.id == template.id).values(values)
        )
        return template.id

    def delete_answer_template(self, template_id: int) -> bool:
        stmt = delete(answer_templates).where(answer_templates.c.id == template_id)
        return self.conn.execute(stmt).rowcount == 1

    def services(self) -> list[Service]:
        rows = self.conn.execute(select(services.c.data).order_by(services.c.code)).scalars()
        return [Service.model_validate(data) for data in rows]

    def service(self, code: str) -> Service | None:
        data = self.conn.execute(select(services.c.data).where(services.c.code == code)).scalar()
        return None if data is None else Service.model_validate(data)

    def put_services(self, items: list[Service], now: datetime) -> None:
        codes = [s.code for s in items]
        self.conn.execute(delete(services).where(services.c.code.in_(codes)))
        self.conn.execute(
            insert(services),
            [
                {
                    "code": s.code,
                    "title": s.title,
                    "data": s.model_dump(mode="json"),
                    "updated_at": now,
                }
                for s in items
            ],
        )

    def user(self, username: str) -> StaffUser | None:
        # Read on every action (who may act is never cached), so on the driver's cursor.
        row = Runner.of(self.conn).first(_USER, {"key": username})
        return None if row is None else StaffUser.model_validate(row)

    def orgchart(self) -> OrgChart:
        return build_orgchart(
            [Unit.model_validate(dict(r)) for r in self.conn.execute(select(units)).mappings()],
            [
                Position.model_validate(dict(r))
                for r in self.conn.execute(select(positions)).mappings()
            ],
            [
                StaffUser.model_validate(dict(r))
                for r in self.conn.execute(select(users)).mappings()
            ],
        )

    def put_orgchart(self, chart: OrgChart) -> None:
        # Users and positions reference each other; clear the links, then replace everything.
        self.conn.execute(update(positions).values(reports_to=None))
        for table in (users, positions, units):
            self.conn.execute(delete(table))
        if chart.units:
            self.conn.execute(insert(units), [u.model_dump() for u in chart.units.values()])
        if chart.positions:
            plain = [{**p.model_dump(), "reports_to": None} for p in chart.positions.values()]
            self.conn.execute(insert(positions), plain)
            for p in chart.positions.values():
                if p.reports_to:
                    self.conn.execute(
                        update(positions)
                        .where(positions.c.code == p.code)
                        .values(reports_to=p.reports_to)
                    )
        if chart.users:
            self.conn.execute(
                insert(users), [u.model_dump(mode="json") for u in chart.users.values()]
            )


class SqlCalendarRepository:
    """Calendar overrides."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def overrides(self) -> list[Override]:
        rows = self.conn.execute(
            select(calendar_overrides).order_by(calendar_overrides.c.on)
        ).mappings()
        return [Override(r["on"], r["kind"], r["reason"], r["entered_by"]) for r in rows]

    def put(self, override: Override, now: datetime) -> None:
        self.remove(override.on)
        self.conn.execute(
            insert(calendar_overrides).values(
                on=override.on,
                kind=override.kind,
                reason=override.reason,
                entered_by=override.entered_by,
                entered_at=now,
            )
        )

    def remove(self, on: date) -> bool:
        result = self.conn.execute(delete(calendar_overrides).where(calendar_overrides.c.on == on))
        return result.rowcount > 0
