"""The 14-working-day clock to the letter (issue 13 item 3, seed item 4), on both engines."""

from __future__ import annotations

from datetime import timedelta

from aduan.ports import FixedClock
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration import builders as b


def test_a_late_complaint_accepted_later_keeps_its_14_days_from_receipt(
    deps: Deps, clock: FixedClock
) -> None:
    # Received Monday 2 March 2026, 10:00 WIB, 40 days after the service: a late suggestion.
    late = b.submit(deps, service_received_on=b.today(deps) - timedelta(days=40))
    assert late.kind == "suggestion"
    clock.current += timedelta(days=4)  # accepted on Friday 6 March

    accepted = b.act(deps, late, Action.ACCEPT_LATE, "sari", reason="Pemohon dirawat di RS")

    # 14 working days from 2 March, Nyepi, Idul Fitri and their cuti bersama skipped: Friday
    # 27 March, 23:59:59 WIB -- not 14 working days from the acceptance (2 April).
    assert accepted.kind == "complaint"
    assert accepted.response_due_at is not None
    assert accepted.response_due_at.isoformat() == "2026-03-27T16:59:59+00:00"
