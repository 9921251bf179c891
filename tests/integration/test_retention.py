"""The retention purge of complainants' personal data, on SQLite and PostgreSQL (issue 14 item 1).

A case that ended more than the retention ago loses its complainant's name, contacts, address,
PIN, files and the address and content of the messages sent to them, in the search index too;
the case, its timeline and the figures of the reports and the public page stay as they were.
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from aduan import service
from aduan.adapters.files import FilesystemFileStore
from aduan.adapters.sql.retention import SqlRetentionRepository
from aduan.adapters.sql.tables import cases
from aduan.jobs import scheduler
from aduan.ports import CaseQuery, FixedClock
from aduan.reports.period import month
from aduan.schemas.views import CaseDetail
from aduan.service import Deps, attachments, retention
from aduan.service.accounts import audit_trail
from aduan.service.attachments import Upload
from aduan.service.reports import compute_statistics
from aduan.service.search import search_cases
from aduan.service.transparency import public_figures
from aduan.workflow.errors import AccessDeniedError, InputError
from aduan.workflow.states import Action
from tests.attachment_files import jpeg_with_gps, pdf
from tests.integration.builders import (
    COMPLAINANT,
    act,
    agency_case,
    engine_of,
    reviewed_case,
    submit,
)

YEARS = 5


@pytest.fixture
def files(deps: Deps, tmp_path: Path) -> Deps:
    """``deps`` with the evidence files in a fresh folder."""
    return dataclasses.replace(deps, files=FilesystemFileStore(tmp_path / "files"))


def stored_files(deps: Deps) -> list[Path]:
    assert isinstance(deps.files, FilesystemFileStore)
    return [p for p in deps.files.root.rglob("*") if p.is_file()]


def closed_case(deps: Deps, **changes: Any) -> CaseDetail:
    """A complaint handled to its end, told by email, with a photo and a KTP scan."""
    case = submit(deps, **changes) if changes else reviewed_case(deps)
    if changes:
        act(deps, case, Action.CLASSIFY, "budi")
        act(deps, case, Action.REVIEW, "budi")
    uploads = [
        Upload("file", "lokasi.jpg", io.BytesIO(jpeg_with_gps())),
        Upload("ktp", "ktp.pdf", io.BytesIO(pdf(case.id)), identity=True),
    ]
    attachments.add_attachments(deps, case.tracking_code, "budi", uploads)
    act(deps, case, Action.ROUTE_INTERNAL, "budi")
    act(deps, case, Action.RECORD_RESULT, "sari")
    act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    return act(deps, case, Action.CLOSE, "agus")


def later(deps: Deps, delta: timedelta) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.current += delta


def figures(deps: Deps) -> tuple[Any, ...]:
    """What the statistics (folded and from the cases) and the public page say of March."""
    period = month("2026-03")
    service.reports.fold_rollup(deps)
    folded = compute_statistics(deps, period, "dewi")
    counted = compute_statistics(deps, period, "dewi", rollup=False)
    return folded, counted, public_figures(deps, period)


def messages_of(deps: Deps, case_id: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    with deps.uow(readonly=True) as uow:
        return [
            (e.message.channel, e.message.recipient, e.status, e.message.payload)
            for e in uow.outbox.for_case(case_id)
        ]


def test_a_case_ended_past_the_retention_loses_its_personal_data_and_nothing_else(
    files: Deps,
) -> None:
    deps = files
    old = closed_case(deps)
    later(deps, timedelta(days=400))
    recent = closed_case(deps, licence_number="SS-2027-000999")  # closed a year later
    still_open = submit(deps)
    later(deps, timedelta(days=365 * YEARS - 400 + 2))
    before = figures(deps)
    timeline = service.get_case(deps, old.tracking_code, "dewi").timeline
    assert len(stored_files(deps)) == 3  # one photo, shared by both cases, and two KTP scans

    report = retention.purge_personal_data(deps, YEARS, by="admin")

    assert [c.tracking_code for c in report.cases] == [old.tracking_code]
    assert report.files == 1  # its KTP scan; the photo is the recent case's too
    assert len(stored_files(deps)) == 2
    erased = service.get_case(deps, old.tracking_code, "dewi")  # the Head sees identities
    assert erased.complainant.model_dump() == {
        "name": None,
        "email": None,
        "phone": None,
        "social": None,
        "address": None,
        "confidential": True,
        "masked": False,
    }
    assert erased.personal_data_erased_at == deps.clock.now()
    assert erased.timeline == timeline
    assert (erased.status, erased.subject, erased.outcome) == (
        old.status,
        old.subject,
        "substantiated",
    )
    assert erased.version == old.version + 1  # a write prepared before the purge is stale
    assert attachments.list_attachments(deps, old.tracking_code, "dewi") == []
    with pytest.raises(InputError) as late_file:  # it would never be purged again
        attachments.add_attachments(
            deps, old.tracking_code, "budi", [Upload("file", "baru.pdf", io.BytesIO(pdf()))]
        )
    assert late_file.value.rule == "personal_data_kept"
    assert len(stored_files(deps)) == 2  # nothing left behind by the refused file
    assert {(d.recipient, d.error) for d in erased.deliveries} == {("(dihapus)", None)}
    assert all(p == {} for channel, _, _, p in messages_of(deps, old.id) if channel != "in_app")
    with deps.uow(readonly=True) as uow:
        assert uow.identity.pin_hash(old.id) is None
        assert uow.identity.pin_hash(recent.id) is not None
    for kept in (recent, still_open):
        shown = service.get_case(deps, kept.tracking_code, "dewi")
        assert shown.complainant.name == COMPLAINANT["name"]
        assert shown.personal_data_erased_at is None
    assert len(attachments.list_attachments(deps, recent.tracking_code, "dewi")) == 2
    # Names and contacts leave the search index; the case's own words stay in it.
    by_name = {h.tracking_code for h in search_cases(deps, "dewi", "Aminah")}
    by_mail = {h.tracking_code for h in search_cases(deps, "dewi", "siti.aminah@contoh.id")}
    assert by_name == by_mail == {recent.tracking_code, still_open.tracking_code}
    assert old.tracking_code in {h.tracking_code for h in search_cases(deps, "dewi", "sertifikat")}
    assert figures(deps) == before
    entry = [e for e in audit_trail(deps, "admin") if e.event == "retention_purge"]
    assert [e.detail for e in entry] == ["1 kasus, 1 berkas; berakhir sebelum 2026-03-03 (5 tahun)"]


def test_a_social_account_the_channel_recorded_is_erased_and_no_longer_shown(files: Deps) -> None:
    deps = files
    tweet = closed_case(
        deps,
        channel="twitter",
        complainant={"name": "Rina"},
        channel_facts={"social_handle": "@rina_pwk"},
    )
    assert tweet.complainant.social == "@rina_pwk"
    assert tweet.timeline[0].data["channel_facts"] == {"social_handle": "@rina_pwk"}
    assert [h.tracking_code for h in search_cases(deps, "dewi", "rina_pwk")] == [
        tweet.tracking_code
    ]
    later(deps, timedelta(days=365 * YEARS + 2))

    retention.purge_personal_data(deps, YEARS, by="admin")

    erased = service.get_case(deps, tweet.tracking_code, "dewi")
    assert (erased.complainant.name, erased.complainant.social) == (None, None)
    assert erased.channel_facts == {}
    assert erased.timeline[0].data["channel_facts"] == {}
    assert search_cases(deps, "dewi", "rina_pwk") == []


def test_the_purge_is_idempotent_and_the_scheduler_runs_it_without_an_administrator(
    files: Deps,
) -> None:
    deps = files
    old = closed_case(deps)
    later(deps, timedelta(days=365 * YEARS + 2))

    first = scheduler._purge_personal_data(deps, YEARS)
    again = scheduler._purge_personal_data(deps, YEARS)
    by_hand = retention.purge_personal_data(deps, YEARS, by="admin")

    assert first == {"cases": 1, "files": 2}
    assert again is None
    assert (by_hand.cases, by_hand.files) == ([], 0)
    assert service.get_case(deps, old.tracking_code, "dewi").complainant.email is None
    assert [e.detail[:16] for e in audit_trail(deps, "system")] == ["1 kasus, 2 berka"]
    assert [e.detail[:16] for e in audit_trail(deps, "admin")][-1:] == ["0 kasus, 0 berka"]


def test_a_dry_run_lists_the_cases_due_and_writes_nothing(files: Deps) -> None:
    deps = files
    old = closed_case(deps)
    later(deps, timedelta(days=365 * YEARS + 2))

    report = retention.purge_personal_data(deps, YEARS, by="admin", dry_run=True)

    assert [(c.tracking_code, c.ended_at) for c in report.cases] == [
        (old.tracking_code, old.closed_at)
    ]
    assert service.get_case(deps, old.tracking_code, "dewi").complainant.name == "Siti Aminah"
    assert len(stored_files(deps)) == 2
    assert [e for e in audit_trail(deps, "admin") if e.event == "retention_purge"] == []


def test_the_cases_due_are_read_page_by_page_oldest_first(
    files: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = files
    first = closed_case(deps)
    later(deps, timedelta(days=1))
    second = closed_case(deps, licence_number="SS-2026-000555")
    later(deps, timedelta(days=365 * YEARS + 2))
    monkeypatch.setattr(retention, "BATCH", 1)

    listed = retention.purge_personal_data(deps, YEARS, by="admin", dry_run=True)
    done = retention.purge_personal_data(deps, YEARS, by="admin")

    order = [first.tracking_code, second.tracking_code]
    assert [c.tracking_code for c in listed.cases] == order
    assert [c.tracking_code for c in done.cases] == order


def test_only_an_administrator_may_purge_and_the_retention_is_at_least_a_year(
    files: Deps,
) -> None:
    with pytest.raises(AccessDeniedError) as officer:
        retention.purge_personal_data(files, YEARS, by="dewi")
    with pytest.raises(InputError) as zero:
        retention.purge_personal_data(files, 0, by="admin")

    assert officer.value.rule == "admin_only"
    assert (zero.value.field, zero.value.rule) == ("ADUAN_RETENTION_YEARS", "at_least_one")


def test_a_failure_leaves_the_failed_case_whole_and_the_ones_before_it_erased(
    files: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = files
    first = closed_case(deps)
    second = closed_case(deps, licence_number="SS-2026-000777")
    later(deps, timedelta(days=365 * YEARS + 2))
    real = SqlRetentionRepository._forget_messages

    def fail_on_second(self: SqlRetentionRepository, case_id: int, now: Any) -> None:
        real(self, case_id, now)
        if case_id == second.id:
            raise RuntimeError("disk gone")

    monkeypatch.setattr(SqlRetentionRepository, "_forget_messages", fail_on_second)
    with pytest.raises(RuntimeError):
        retention.purge_personal_data(deps, YEARS, by="admin")

    kept = service.get_case(deps, second.tracking_code, "dewi")
    assert (kept.complainant.email, kept.personal_data_erased_at) == (COMPLAINANT["email"], None)
    assert COMPLAINANT["email"] in {r for _, r, _, _ in messages_of(deps, second.id)}
    assert len(attachments.list_attachments(deps, second.tracking_code, "dewi")) == 2
    assert service.get_case(deps, first.tracking_code, "dewi").complainant.email is None
    assert [e.detail[:7] for e in audit_trail(deps, "admin")][-1:] == ["1 kasus"]

    monkeypatch.setattr(SqlRetentionRepository, "_forget_messages", real)
    done = retention.purge_personal_data(deps, YEARS, by="admin")
    assert [c.tracking_code for c in done.cases] == [second.tracking_code]
    assert stored_files(deps) == []


def test_a_case_opened_again_or_withdrawn_recently_is_not_due(files: Deps) -> None:
    deps = files
    withdrawn = submit(deps)
    act(deps, withdrawn, Action.WITHDRAW, "budi")
    later(deps, timedelta(days=365 * YEARS - 1))

    assert retention.purge_personal_data(deps, YEARS, by="admin", dry_run=True).cases == []
    later(deps, timedelta(days=3))
    due = retention.purge_personal_data(deps, YEARS, by="admin", dry_run=True).cases
    assert [c.tracking_code for c in due] == [withdrawn.tracking_code]


def test_the_command_line_purges_as_an_administrator_only(
    files: Deps, db_url: str, tmp_path: Path
) -> None:
    deps = files
    old = closed_case(deps)
    # The command runs on the wall clock: the case closed six years before now.
    six_years_ago = datetime.now(UTC) - timedelta(days=365 * 6)
    with engine_of(deps).begin() as conn:
        conn.execute(update(cases).where(cases.c.id == old.id).values(closed_at=six_years_ago))
    env = {
        **os.environ,
        "ADUAN_DATABASE_URL": db_url,
        "ADUAN_FILES_DIR": str(tmp_path / "files"),
        "ADUAN_LOG_LEVEL": "warning",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aduan.cli", "retention", "purge", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    officer = cli("--as", "dewi")
    dry = cli("--as", "admin", "--dry-run")
    done = cli("--as", "admin")

    assert (officer.returncode, "admin_only" in officer.stderr) == (5, True)
    assert dry.returncode == 0, dry.stderr
    assert old.tracking_code in dry.stdout
    assert "akan dihapus/due: 1 kasus/cases" in dry.stdout
    assert done.returncode == 0, done.stderr
    assert "dihapus/erased: 1 kasus/cases, 2 berkas/files" in done.stdout
    assert service.get_case(deps, old.tracking_code, "dewi").complainant.name is None
    assert stored_files(deps) == []


def test_an_erased_case_routed_to_an_agency_is_listed_there_as_it_now_is(deps: Deps) -> None:
    # An agency's list is read from its copies on case_units (migration 0036): the erasure
    # moves the version on, and the agency's list shows the new one, as the office's does.
    case = agency_case(deps)
    act(deps, case, Action.RECORD_RESULT, "tono", outcome="substantiated")
    act(deps, case, Action.INFORM_COMPLAINANT, "budi")
    act(deps, case, Action.REPORT_TO_SUPERIOR, "budi")
    closed = act(deps, case, Action.CLOSE, "agus")
    later(deps, timedelta(days=365 * YEARS + 2))

    report = retention.purge_personal_data(deps, YEARS, by="admin")

    assert [c.tracking_code for c in report.cases] == [case.tracking_code]
    query = CaseQuery(newest_first=True)
    office = service.list_cases(deps, query, "budi")
    agency = service.list_cases(deps, query, "tono")
    assert [row.version for row in agency] == [row.version for row in office]
    assert agency == office and agency[0].version == closed.version + 1
