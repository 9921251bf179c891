"""The visibility policy's vocabulary (DESIGN §6): each role's sight, and what a sight sees."""

from __future__ import annotations

import pytest

from aduan.workflow.states import Role
from aduan.workflow.visibility import NO_SIGHT, OFFICE_SIGHT, Reach, Sight, sight_of

# Sealed cases (issue 16 item 3) are in the sight of the Head of Office and APIP only (and of
# the system's sweep); the other roles' sights leave them out.
OFFICE_UNSEALED = Sight(Reach.OFFICE, sealed=False)


@pytest.mark.parametrize(
    ("role", "unit", "expected"),
    [
        (Role.OFFICER, "dpmptsp", OFFICE_UNSEALED),
        (Role.SUPERVISOR, "dpmptsp", OFFICE_UNSEALED),
        (Role.HEAD, "dpmptsp", OFFICE_SIGHT),
        (Role.SYSTEM, None, OFFICE_SIGHT),
        (Role.AGENCY_OFFICER, "dispertan", Sight(Reach.UNIT, "dispertan", sealed=False)),
        (Role.AGENCY_HEAD, "dispertan", Sight(Reach.UNIT, "dispertan", sealed=False)),
        (Role.APIP, "inspektorat", Sight(Reach.UNIT, "inspektorat")),
        (Role.AGENCY_OFFICER, None, NO_SIGHT),  # agency staff without a post see nothing
        (Role.APIP, None, NO_SIGHT),
        (Role.ADMIN, None, NO_SIGHT),
        (Role.ADMIN, "dpmptsp", NO_SIGHT),  # the administrator never sees case content
        (Role.COMPLAINANT, None, NO_SIGHT),
    ],
)
def test_each_role_has_the_sight_the_policy_gives_it(
    role: Role, unit: str | None, expected: Sight
) -> None:
    assert sight_of(role, unit) == expected


def test_a_named_viewer_carries_their_username() -> None:
    assert sight_of(Role.OFFICER, "dpmptsp", "budi") == Sight(Reach.OFFICE, None, "budi", False)
    assert sight_of(Role.ADMIN, None, "admin") == NO_SIGHT


@pytest.mark.parametrize(
    ("units_of_case", "office", "dispertan", "nobody"),
    [
        (frozenset(), True, False, False),  # never routed: the office's only
        (frozenset({"dispertan"}), True, True, False),  # routed to the agency (or once was)
        (frozenset({"disperindag"}), True, False, False),  # another agency's case
        (frozenset({"dispertan", "inspektorat"}), True, True, False),
    ],
)
def test_a_sight_sees_the_cases_that_were_with_its_unit(
    units_of_case: frozenset[str], office: bool, dispertan: bool, nobody: bool
) -> None:
    assert OFFICE_SIGHT.sees(units_of_case) is office
    assert Sight(Reach.UNIT, "dispertan").sees(units_of_case) is dispertan
    assert NO_SIGHT.sees(units_of_case) is nobody
    assert Sight(Reach.UNIT).sees(units_of_case) is False  # a unit sight without a unit
