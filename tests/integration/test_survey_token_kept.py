"""A delivered survey invitation does not keep its one-time link in the outbox (issue 17).

The link holds a working token; the outbox kept it in plain text for the 90 days of retention.
After delivery the row keeps "(terkirim)" in its place; until then it must keep it to send it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from aduan.adapters.sql.tables import outbox
from aduan.reports import period
from aduan.service import Deps, survey
from tests.integration.builders import engine_of, today
from tests.integration.servers import smtp_server
from tests.integration.test_delivery import dispatcher
from tests.reports.test_survey import closed_case


def invitation_context(deps: Deps) -> dict[str, str]:
    with engine_of(deps).connect() as conn:
        stored = conn.execute(
            select(outbox.c.payload).where(outbox.c.event == "survey_invitation")
        ).scalar_one()
    context: dict[str, str] = stored["context"]
    return context


def test_a_delivered_invitation_forgets_its_one_time_link(deps: Deps, tmp_path: Path) -> None:
    closed_case(deps)
    survey.dispatch_survey(deps, period.quarter_of(today(deps)), "https://aduan.test")
    link = invitation_context(deps)["link"]
    token = link.rsplit("/", 1)[1]
    assert link.startswith("https://aduan.test/")  # waiting: the row needs it to send it

    with smtp_server() as (port, mailbox):
        report = dispatcher(deps, tmp_path, smtp_host="127.0.0.1", smtp_port=port).dispatch()

    assert report.counts["sent"] >= 1
    (mail,) = [m for m in mailbox.messages if str(m["Subject"]).startswith("Survei")]
    assert token in mail.get_body(("plain",)).get_content()  # the complainant got it ...
    kept = invitation_context(deps)
    assert kept["link"] == "(terkirim)"  # ... the outbox does not keep it
    with engine_of(deps).connect() as conn:
        rows = conn.execute(select(outbox.c.payload)).scalars().all()
    assert all(token not in str(row) for row in rows)
    assert kept["period"] == period.quarter_of(today(deps)).key  # the rest stays for the record
