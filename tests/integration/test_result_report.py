"""Item 8 with the sample org chart, on both engines: the report of the result goes to the
direct superior of the tier that decided — not of whoever files it — and that superior (or
above) closes. Once a section head who decided received her own report and closed."""

from __future__ import annotations

import pytest

from aduan.service import Deps
from aduan.workflow.errors import RuleViolationError
from aduan.workflow.states import Action
from tests.integration import builders as b


def decided_by_the_section_head(deps: Deps) -> str:
    case = b.internal_case(deps)  # tier 1: budi, Pejabat Pengelola Pengaduan
    b.act(deps, case, Action.ESCALATE, "budi", report="Mohon arahan Kepala Seksi")  # tier 2: sari
    b.act(deps, case, Action.RECORD_RESULT, "sari", outcome="substantiated", summary="Terbit")
    b.act(deps, case, Action.INFORM_COMPLAINANT, "budi", channel="whatsapp", text="Sudah terbit")
    b.act(deps, case, Action.REPORT_TO_SUPERIOR, "budi", text="Laporan hasil tindak lanjut")
    return case.tracking_code


def test_the_report_goes_to_the_superior_of_the_deciding_tier(deps: Deps) -> None:
    code = decided_by_the_section_head(deps)

    shown = b.service.get_case(deps, code, "agus")

    superior_reports = [r for r in shown.reports if r.kind == "superior"]
    assert [(r.author, r.addressee) for r in superior_reports] == [("budi", "agus")]


def test_the_decider_may_not_close_and_her_superior_does(deps: Deps) -> None:
    code = decided_by_the_section_head(deps)

    with pytest.raises(RuleViolationError) as refused:
        b.act(deps, code, Action.CLOSE, "sari")
    assert refused.value.rule == "closed_by_superior"
    assert "Kepala Bidang Pengaduan" in refused.value.message_en

    closed = b.act(deps, code, Action.CLOSE, "agus")
    assert closed.status == "closed"
