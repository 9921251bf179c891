"""APIP takes a case up "sesuai dengan peraturan perundang-undangan" (seed §6 item 7c).

Without the head's approval, on a recorded legal basis (its own audit, an Ombudsman or
SP4N-LAPOR! referral), by the tracking code the referral names. Before that the case is out of
the inspectorate's sight, and a code it may not act on answers as one that does not exist.
On SQLite and PostgreSQL; irfan is the inspectorate's auditor in the shipped org chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aduan import service
from aduan.schemas.views import CaseDetail
from aduan.service import Deps
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import Action
from tests.integration.builders import (
    act,
    agency_case,
    internal_case,
    resolved_case,
    reviewed_case,
    submit,
)

BASIS = {"legal_basis": "ombudsman", "reason": "Rujukan Ombudsman RI nomor 12/2026"}


def open_apip(deps: Deps, code: str, user: str = "irfan", **payload: Any) -> Any:
    return service.open_apip_by_code(deps, code, user, {**BASIS, **payload})


@pytest.mark.parametrize(
    ("build", "from_status"),
    [
        pytest.param(reviewed_case, "reviewed", id="reviewed"),
        pytest.param(internal_case, "internal_handling", id="internal"),
        pytest.param(agency_case, "agency_handling", id="agency"),
    ],
)
def test_apip_opens_a_case_on_a_legal_basis_without_the_heads_approval(
    deps: Deps, build: Callable[[Deps], CaseDetail], from_status: str
) -> None:
    code = build(deps).tracking_code
    with pytest.raises(NotFoundError):  # not referred: out of the inspectorate's sight
        service.get_case(deps, code, "irfan")

    # A code typed as people type it: lower case, without dashes.
    done = open_apip(deps, code.lower().replace("-", ""), legal_basis="lapor")

    assert (done.status, done.track, done.assignee) == ("apip_handling", "apip", "irfan")
    seen = service.get_case(deps, code, "irfan")  # in its sight from now on
    last = seen.timeline[-1]
    assert (last.action, last.actor, last.from_status, last.to_status) == (
        "open_apip",
        "irfan",
        from_status,
        "apip_handling",
    )
    assert (last.data["legal_basis"], last.data["reason"]) == ("lapor", BASIS["reason"])
    assert code in [i.case.tracking_code for i in service.work_queue(deps, "irfan")]
    resolved = act(deps, code, Action.RECORD_RESULT, "irfan", outcome="not_substantiated")
    assert resolved.status == "resolved"


@pytest.mark.parametrize(
    "code", ["ADN-XXXXX-XXXXX", "tidak-ada", "1"], ids=["unknown", "malformed", "numeric-id"]
)
def test_a_wrong_or_unknown_code_is_not_found(deps: Deps, code: str) -> None:
    reviewed_case(deps)  # id 1 exists: an id is no way in

    with pytest.raises(NotFoundError) as missing:
        open_apip(deps, code)

    assert missing.value.code == "not_found"


@pytest.mark.parametrize(
    "build",
    [pytest.param(submit, id="recorded"), pytest.param(resolved_case, id="resolved")],
)
def test_a_case_apip_may_not_take_up_now_answers_as_a_missing_one(
    deps: Deps, build: Callable[[Deps], CaseDetail]
) -> None:
    case = build(deps)

    with pytest.raises(NotFoundError) as missing:
        open_apip(deps, case.tracking_code)

    assert str(missing.value.key) == case.tracking_code  # the same answer as an unknown code
    assert service.get_case(deps, case.tracking_code, "budi").status == case.status


@pytest.mark.parametrize("user", ["budi", "dewi", "tono"])
def test_only_the_inspectorate_opens_a_case_this_way(deps: Deps, user: str) -> None:
    code = internal_case(deps).tracking_code

    with pytest.raises(NotFoundError):
        open_apip(deps, code, user)

    assert service.get_case(deps, code, "budi").status == "internal_handling"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"legal_basis": "kepala"}, "legal_basis"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_the_legal_basis_and_the_reason_are_required(
    deps: Deps, payload: dict[str, str], field: str
) -> None:
    code = internal_case(deps).tracking_code

    with pytest.raises(InputError) as bad:
        open_apip(deps, code, **payload)

    assert bad.value.field == field
    assert service.get_case(deps, code, "budi").status == "internal_handling"
    with pytest.raises(NotFoundError):
        service.get_case(deps, code, "irfan")
