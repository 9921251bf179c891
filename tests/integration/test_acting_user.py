"""The acting user and the case are read together on the transition path (issue 15 item 2).

From a user's second action on, one statement reads the user and the case in the sight their
last action had; the user is still read on every action, so a role, post or deactivation
changed elsewhere (another instance, no local cache cleared) takes effect on the next action.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from aduan.adapters.sql.tables import users
from aduan.service import Deps
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import Action, Role
from tests.integration import builders as b
from tests.integration.builders import engine_of
from tests.integration.test_statement_counts import WRITE, counting


def _change_elsewhere(deps: Deps, username: str, **values: object) -> None:
    """A change of a user made by another instance: straight to the table."""
    with engine_of(deps).begin() as conn:
        conn.execute(update(users).where(users.c.username == username).values(**values))


def test_one_read_of_the_user_and_the_case_before_the_write(deps: Deps) -> None:
    first, second = b.submit(deps), b.submit(deps)
    b.act(deps, first, Action.CLASSIFY, "budi")
    with counting(deps) as seen:
        classified = b.act(deps, second, Action.CLASSIFY, "budi")
    assert classified.status == "classified"
    reads = []
    for statement in seen:
        if WRITE.match(statement):
            break
        reads.append(statement)
    assert len(reads) == 1, reads
    assert "users" in reads[0] and "cases" in reads[0], reads


def test_a_post_moved_elsewhere_takes_effect_on_the_next_action(deps: Deps) -> None:
    first, second = b.submit(deps), b.submit(deps)
    b.act(deps, first, Action.CLASSIFY, "budi")
    _change_elsewhere(deps, "budi", role=Role.AGENCY_OFFICER.value, position="tim-teknis-dispertan")
    with pytest.raises(NotFoundError):  # an office case is out of an agency officer's sight
        b.act(deps, second, Action.CLASSIFY, "budi")
    assert b.service.get_case(deps, second.tracking_code, "sari").status == "recorded"


def test_a_user_deactivated_elsewhere_cannot_act_again(deps: Deps) -> None:
    first, second = b.submit(deps), b.submit(deps)
    b.act(deps, first, Action.CLASSIFY, "budi")
    _change_elsewhere(deps, "budi", active=False)
    with pytest.raises(InputError) as refused:
        b.act(deps, second, Action.CLASSIFY, "budi")
    assert refused.value.rule == "known_active_user"
    assert b.service.get_case(deps, second.tracking_code, "sari").status == "recorded"
