"""``upgrade_database`` on a database nothing has touched yet, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Engine, Index, inspect, select, text
from sqlalchemy.schema import CreateIndex, DropIndex

from aduan import service
from aduan.adapters.sql import migrate
from aduan.adapters.sql.migrate import alembic_config
from aduan.adapters.sql.tables import metadata
from aduan.bootstrap import build, upgrade_database
from aduan.catalog.orgchart import OrgChart
from aduan.config import Settings
from aduan.ports import CaseQuery, FixedClock, Open311Query
from aduan.service import Deps, accounts
from aduan.service import open311 as clients
from aduan.workflow.states import Action, Channel
from aduan.workflow.visibility import OFFICE_SIGHT
from tests.integration.builders import engine_of, submission
from tests.reports.test_rollup import downgrade

DAY = timedelta(days=1)
SEEDED = {"services": 4, "units": 5, "positions": 14, "users": 13}
TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
}
# Indexes on expressions (the deadline queue's): SQLite's reflection cannot read them and
# PostgreSQL rewrites their text, so Alembic cannot compare them; the database can.
EXPRESSION_INDEXES = [
    index
    for table in metadata.tables.values()
    for index in table.indexes
    if not all(isinstance(e, Column) for e in index.expressions)
]
# The search index (migration 0023) is made by the migration alone, per engine: an FTS5 virtual
# table and its shadow tables on SQLite, a table with a generated tsvector on PostgreSQL.
SEARCH_TABLES = {
    "sqlite": {"case_search", *(f"case_search_{s}" for s in ("data", "idx", "content"))}
    | {"case_search_docsize", "case_search_config"},
    "postgresql": {"case_search"},
}
INDEX_DEFINITION = {
    "sqlite": "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name",
    "postgresql": "SELECT pg_get_indexdef(CAST(:name AS regclass))",
}


@pytest.fixture
def fresh(empty_db_url: str, clock: FixedClock) -> Iterator[Deps]:
    """Dependencies on an empty database, not migrated."""
    deps = build(Settings(database_url=empty_db_url), clock=clock)
    yield deps
    engine_of(deps).dispose()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in SEEDED}


def test_upgrade_creates_every_table_and_the_append_only_triggers(fresh: Deps) -> None:
    engine = engine_of(fresh)
    assert inspect(engine).get_table_names() == []

    upgrade_database(fresh)

    search = SEARCH_TABLES[engine.dialect.name]
    assert set(inspect(engine).get_table_names()) == {*metadata.tables, "alembic_version", *search}
    with engine.connect() as conn:
        triggers = set(conn.execute(text(TRIGGERS[engine.dialect.name])).scalars())
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert {t for t in triggers if t.startswith("case_events")}
    assert {t for t in triggers if t.startswith("written_reports")}
    assert version == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def compared_by_alembic(obj: object, name: str | None, kind: str, *_: object) -> bool:
    """Everything but the expression indexes and the search index (``include_object``)."""
    if kind == "table" and name is not None and name.startswith("case_search"):
        return False
    if kind == "index" and name == "ix_case_search_doc":
        return False
    return not (kind == "index" and name in {i.name for i in EXPRESSION_INDEXES})


def index_definitions(conn: Connection, indexes: list[Index]) -> dict[str, str]:
    """The database's own text of each index (SQLite keeps the DDL, PostgreSQL rewrites it)."""
    sql = text(INDEX_DEFINITION[conn.dialect.name])
    return {str(i.name): conn.execute(sql, {"name": i.name}).scalar_one() for i in indexes}


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_the_migrated_schema_is_the_one_the_code_declares(fresh: Deps) -> None:
    """Columns, types, indexes and constraints of aduan/models/tables.py, no more, no less."""
    upgrade_database(fresh)

    with engine_of(fresh).connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": compared_by_alembic})
        drift = compare_metadata(context, metadata)
        migrated = index_definitions(conn, EXPRESSION_INDEXES)
        for index in EXPRESSION_INDEXES:  # as the code declares it, in a transaction undone
            conn.execute(DropIndex(index))
            conn.execute(CreateIndex(index))
        declared = index_definitions(conn, EXPRESSION_INDEXES)
        conn.rollback()

    assert drift == []
    assert EXPRESSION_INDEXES
    assert migrated == declared


def test_upgrade_seeds_the_catalog_and_org_chart(fresh: Deps) -> None:
    added = upgrade_database(fresh)

    assert added == (4, 1)
    assert counts(engine_of(fresh)) == SEEDED
    assert [s.code for s in service.list_services(fresh)] == ["01622", "15121", "71204", "78422"]
    chart = service.show_orgchart(fresh)
    assert chart.office().code == "dpmptsp"
    assert {u.username for u in chart.users.values()} == {
        "budi", "sari", "agus", "dewi", "tono", "yuni", "rina", "irfan", "admin",
        "hendra", "wulan", "joko", "maya",
    }  # fmt: skip


def test_upgrade_twice_changes_nothing_and_seeds_once(fresh: Deps) -> None:
    upgrade_database(fresh)
    schema = sorted(inspect(engine_of(fresh)).get_table_names())

    again = upgrade_database(fresh)

    assert again == (0, 0)
    assert counts(engine_of(fresh)) == SEEDED
    assert sorted(inspect(engine_of(fresh)).get_table_names()) == schema


def test_upgrade_keeps_an_org_chart_the_office_replaced(fresh: Deps) -> None:
    upgrade_database(fresh)
    with fresh.uow() as uow:
        chart = uow.reference.orgchart()
        users = [u for name, u in chart.users.items() if name != "yuni"]
        uow.reference.put_orgchart(
            OrgChart(chart.units, chart.positions, {u.username: u for u in users})
        )
        uow.commit()

    assert upgrade_database(fresh) == (0, 0)
    assert "yuni" not in service.show_orgchart(fresh).users


def test_the_open311_requests_filed_before_0030_get_a_public_id(fresh: Deps) -> None:
    upgrade_database(fresh)
    filer = clients.client_id(fresh, accounts.issue_client_key(fresh, "Aplikasi Warga"))
    filed = [
        service.submit_complaint(
            fresh, submission(fresh, channel="api"), open311_client=filer
        ).tracking_code
        for _ in range(2)
    ]
    service.submit_complaint(fresh, submission(fresh, channel=Channel.WHATSAPP), recorded_by="budi")
    engine = engine_of(fresh)

    downgrade(engine, "0029")
    migrate.upgrade(engine)

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT tracking_code, public_id FROM cases")).all()
    ids = {str(code): public_id for code, public_id in rows}
    given = {ids[code] for code in filed}
    assert None not in given and len(given) == 2 and not given & set(ids)
    assert [public_id for code, public_id in ids.items() if code not in filed] == [None]
    now = fresh.clock.now()
    listed = clients.list_requests(fresh, Open311Query(client=None, start=now - DAY, end=now))
    assert {r.request_id for r in listed} == given


def test_the_duplicates_merged_before_0032_know_the_status_an_undo_restores(fresh: Deps) -> None:
    from tests.integration.builders import act
    from tests.integration.test_duplicates import OTHER, merge, staff_intake

    upgrade_database(fresh)
    main = staff_intake(fresh)
    duplicate = staff_intake(fresh, complainant=OTHER)
    act(fresh, duplicate, Action.CLASSIFY, "budi")
    merge(fresh, duplicate, main.tracking_code)
    engine = engine_of(fresh)

    downgrade(engine, "0031")
    migrate.upgrade(engine)

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT tracking_code, merged_from FROM cases")).all()
    assert {str(code): merged_from for code, merged_from in rows} == {
        main.tracking_code: None,
        duplicate.tracking_code: "classified",
    }
    undone = act(fresh, duplicate, Action.UNDO_MERGE, "budi", reason="Bukan duplikat")
    assert undone.status == "classified"


def test_the_complaints_waiting_before_0035_are_not_late_in_the_rollup(
    fresh: Deps, clock: FixedClock
) -> None:
    from aduan.adapters.sql.tables import cases
    from tests.reports.test_paused_reports import AUGUST, rolled_up, three_complaints, wib
    from tests.reports.test_rollup_fold import fold_everything

    upgrade_database(fresh)
    three = three_complaints(fresh, clock)  # two of them waiting for the complainant
    fold_everything(fresh)
    engine = engine_of(fresh)

    downgrade(engine, "0034")
    with engine.connect() as conn:
        due = conn.execute(text("SELECT sum(n) FROM case_stats WHERE part = 'due'")).scalar()
    assert due == 3  # as before 0035: each open complaint kept with its deadline
    migrate.upgrade(engine)

    with engine.connect() as conn:
        rows = conn.execute(select(cases.c.tracking_code, cases.c.info_requested_at)).all()
    assert dict(rows) == {three.waiting: wib(8, 31), three.twin: None, three.asked_late: wib(9, 3)}
    expected = {"overdue_open": 2, "pending": 1}  # the one asked before its deadline waits
    assert rolled_up(fresh, AUGUST, rollup_on=True) == expected
    assert rolled_up(fresh, AUGUST, rollup_on=False) == expected
    assert fold_everything(fresh) == 0


def test_the_cases_routed_before_0036_are_listed_by_their_agency_as_before(fresh: Deps) -> None:
    from tests.integration.builders import act, agency_case

    upgrade_database(fresh)
    case = agency_case(fresh)
    act(fresh, case, Action.RECORD_STEP, "tono")
    engine = engine_of(fresh)
    query = CaseQuery(newest_first=True)
    office_before = service.list_cases(fresh, query, "budi")

    downgrade(engine, "0035")
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("case_units")}
    assert "status" not in columns and "sealed" not in columns
    migrate.upgrade(engine)

    # The agency's list is read from case_units alone: the copies were filled from the cases.
    agency = service.list_cases(fresh, query, "tono")
    assert agency == office_before and agency[0].tracking_code == case.tracking_code


def test_0037_adds_the_handled_mark_to_inbound_mail_and_takes_it_away_again(
    fresh: Deps, clock: FixedClock
) -> None:
    """Upgrade, downgrade to 0036 and upgrade again: the emails stay, the marks come and go."""
    from aduan.adapters.sql.tables import inbound_mail

    upgrade_database(fresh)
    engine = engine_of(fresh)
    row = {
        "message_id": "m1@contoh.id",
        "received_at": clock.now(),
        "outcome": "unmatched",
        "reason": "no_case",
        "sender": "warga@contoh.id",
        "subject": "Pertanyaan",
        "text": "Isi",
        "handled_at": clock.now(),
        "handled_by": "budi",
        "handled_note": "balasan otomatis",
    }
    with engine.begin() as conn:
        conn.execute(inbound_mail.insert().values(**row))
    handled = {"handled_at", "handled_by", "handled_note"}

    downgrade(engine, "0036")
    columns = {c["name"] for c in inspect(engine).get_columns("inbound_mail")}
    indexes = {i["name"] for i in inspect(engine).get_indexes("inbound_mail")}
    assert not columns & handled
    assert "ix_inbound_mail_outcome_handled" not in indexes
    with engine.connect() as conn:
        assert conn.execute(text("SELECT subject FROM inbound_mail")).scalars().all() == [
            "Pertanyaan"
        ]
    migrate.upgrade(engine)

    assert handled <= {c["name"] for c in inspect(engine).get_columns("inbound_mail")}
    with engine.connect() as conn:
        again = conn.execute(select(inbound_mail)).one()
    assert (again.subject, again.handled_at, again.handled_by) == ("Pertanyaan", None, None)
    with fresh.uow(readonly=True) as uow:  # it waits again: nobody has said what became of it
        assert uow.inbound.count_unmatched(sight=OFFICE_SIGHT) == 1
