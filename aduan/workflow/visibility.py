"""Who may see a case (DESIGN §6; seed §6 items 7–8, component 10): one policy, pure.

Every read path applies it — the case page and API, lists and queues, reports, exports,
written-report PDFs, the inbox — and the storage adapters turn a ``Sight`` into a condition of
the query itself (an indexed join on the units a case has been with), never a filter in Python
after the fact. A case out of a person's sight answers exactly as a case that does not exist.

- office complaint staff (officer, supervisor) and the Head of Office: every case of the office;
- agency staff (officer, head): the cases that are or were on their own agency's track, from the
  moment of routing;
- APIP: the cases referred to it (after approval, or opened on a legal basis), and those it
  handled before. To open one on a legal basis (item 7c: its own audit, an Ombudsman or
  SP4N-LAPOR! referral) it names the case by the tracking code the referral gives
  (``service.open_apip_by_code``); a code it may not act on answers as one that does not exist;
- the administrator: no case content at all (operational views only).

Conflict of interest (issue 16 item 3): a case can name the staff members it concerns
(terlapor). The sight carries the viewer's username, and a case that names the viewer is out of
their sight whatever their reach (``NOT EXISTS`` on ``case_concerns`` in SQL). "Anyone whose
only route to the case is through them": in this policy a route to a case is a *unit* (the
office, an agency's track, the inspectorate), never a person — nobody sees a case because a
particular colleague holds it. So the concerned person themselves is excluded, and their unit
keeps its route: an agency officer still sees a case that names their agency's head, through the
agency. What a person would reach through a concerned colleague is the tier chain, and the chain
skips the concerned levels (``aduan.service.concerns``), so nobody is handed the case by them.

A complaint about the conduct of the office's own staff can be *sealed*: then only the Head of
Office and APIP (once the case is in its sight) see it — ``may_see_sealed`` below.
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
    viewer: str | None = None  # the viewer's username: a case that names them is out of sight
    sealed: bool = True  # whether sealed cases are in sight (the Head of Office, APIP)

    def sees(
        self,
        units_of_case: frozenset[str] | set[str],
        concerned: frozenset[str] | set[str] = frozenset(),
        sealed: bool = False,
    ) -> bool:
        """Whether a case that has been with ``units_of_case`` is in sight.

        ``concerned``: the staff the case names (terlapor); ``sealed``: whether it is sealed.
        """
        if self.viewer is not None and self.viewer in concerned:
            return False
        if sealed and not self.sealed:
            return False
        if self.reach is Reach.OFFICE:
            return True
        if self.reach is Reach.UNIT:
            return self.unit is not None and self.unit in units_of_case
        return False


OFFICE_SIGHT = Sight(Reach.OFFICE)
NO_SIGHT = Sight(Reach.NONE)
_OFFICE_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.HEAD, Role.SYSTEM})
_UNIT_ROLES = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_HEAD, Role.APIP})
# Who sees a sealed case (with it in their sight otherwise): the Head of Office and APIP; the
# system (the deadline sweep) works on every case.
SEALED_ROLES = frozenset({Role.HEAD, Role.APIP, Role.SYSTEM})


def sight_of(role: Role, unit: str | None, username: str | None = None) -> Sight:
    """The sight of ``username`` with ``role`` whose post is in ``unit`` (None: no post).

    Without a username (a trusted in-process reader) no case is out of sight for naming them.
    """
    sealed = role in SEALED_ROLES
    if role in _OFFICE_ROLES:
        return Sight(Reach.OFFICE, None, username, sealed)
    if role in _UNIT_ROLES and unit is not None:
        return Sight(Reach.UNIT, unit, username, sealed)
    return NO_SIGHT


def whole(sight: Sight) -> bool:
    """Whether ``sight`` reaches every case of the office with no exclusion at all."""
    return sight.reach is Reach.OFFICE and sight.viewer is None and sight.sealed
