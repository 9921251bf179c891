"""The review worksheet's related records name only cases the reader may see (issue 16).

The officer's review lists other cases with the same contact, licence or service (item 6c).
The case then travels to an agency or to APIP, whose staff see it, but not the office's other
cases: those must not reach them by code or subject through the worksheet.
"""

from __future__ import annotations

from aduan import service
from aduan.service import Deps
from aduan.workflow.states import Action
from tests.integration import builders as b


def test_an_agency_officer_does_not_learn_the_offices_other_cases_from_the_worksheet(
    deps: Deps,
) -> None:
    earlier = b.internal_case(deps)  # an office case about the same service and complainant
    routed = b.act(deps, b.reviewed_case(deps), Action.ROUTE_AGENCY, "budi")

    as_officer = service.get_case(deps, routed.tracking_code, "budi")
    assert as_officer.worksheet is not None
    assert earlier.tracking_code in {r["tracking_code"] for r in as_officer.worksheet["related"]}

    as_agency = service.get_case(deps, routed.tracking_code, "tono")
    assert as_agency.worksheet is not None
    assert as_agency.worksheet["related"] == []
    assert as_agency.worksheet["core_problem"] == as_officer.worksheet["core_problem"]


def test_cases_routed_to_the_same_agency_stay_related_for_it(deps: Deps) -> None:
    first = b.agency_case(deps)
    second = b.agency_case(deps)
    as_agency = service.get_case(deps, second.tracking_code, "tono")
    assert as_agency.worksheet is not None
    assert first.tracking_code in {r["tracking_code"] for r in as_agency.worksheet["related"]}
