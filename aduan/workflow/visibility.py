"""Who may see a case (DESIGN §6; seed §6 items 7–8, component 10): one policy, pure.

Every read path applies it — the case page and API, lists and queues, reports, exports,
written-report PDFs, the inbox — and the storage adapters turn a ``Sight`` into a condition of
the query itself (an indexed join on the units a case has been with), never a filter in Python
after the fact. A case out of a person's sight answers exactly as a case that does not exist.

- office complaint staff (officer, supervisor) and the Head of Office: every case of the office;
- agency staff (officer, head): the cases that are or were on their own agency's track, from the
  moment of routing;
- APIP: the cases referred to it (after approval, or opened on a legal basis), and those it
  handled before;
- the administrator: no case content at all (operational views only).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aduan.workflow.states import Role


class Reach(StrEnum):
    """How far a person's sight reaches."""

    OFFICE = "office"  # every case of the office
    UNIT = "unit"  # the cases that are or were with one unit (an agency, the inspectorate)
    NONE = "none"  # no case content


@dataclass(frozen=True, slots=True)
class Sight:
    """What one person may see: a reach, and for ``UNIT`` the unit's code."""

    reach: Reach
    unit: str | None = None

    def sees(self, units_of_case: frozenset[str] | set[str]) -> bool:
        """Whether a case that has been with ``units_of_case`` is in sight."""
        if self.reach is Reach.OFFICE:
            return True
        if self.reach is Reach.UNIT:
            return self.unit is not None and self.unit in units_of_case
        return False


OFFICE_SIGHT = Sight(Reach.OFFICE)
NO_SIGHT = Sight(Reach.NONE)
_OFFICE_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.HEAD, Role.SYSTEM})
_UNIT_ROLES = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_HEAD, Role.APIP})


def sight_of(role: Role, unit: str | None) -> Sight:
    """The sight of a person with ``role`` whose post is in ``unit`` (None: no post)."""
    if role in _OFFICE_ROLES:
        return OFFICE_SIGHT
    if role in _UNIT_ROLES and unit is not None:
        return Sight(Reach.UNIT, unit)
    return NO_SIGHT
