"""What every use case needs: the dependencies, the caches, and who is acting.

The use cases of Aduan live in this package; it is the only code that opens a unit of work.
Each use case takes the dependencies (``Deps``) and a validated command, does its work in one
unit of work, and returns a read model. Errors are ``AduanError`` subclasses; nothing is written
when one is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from aduan.catalog.orgchart import OrgChart, StaffUser
from aduan.catalog.services import Service
from aduan.config import Attachments
from aduan.escalation.calendar import WorkingCalendar
from aduan.escalation.deadlines import DeadlinePolicy
from aduan.notifications.planner import NotifyPolicy
from aduan.ports import (
    Clock,
    FileStore,
    UnitOfWork,
    UnitOfWorkFactory,
)
from aduan.service.cache import Expiring, monotonic
from aduan.workflow import intake
from aduan.workflow.case import Actor, Case
from aduan.workflow.context import Policy
from aduan.workflow.errors import InputError, NotFoundError
from aduan.workflow.states import N_, Action, Role
from aduan.workflow.visibility import Sight, sight_of

log = structlog.get_logger()


class CalendarCache:
    """The working-day calendar with the administrator's overrides, rebuilt when they change.

    Overrides are read again at most every ``max_age`` seconds (a change made in this process
    takes effect at once), so a calendar change in one instance reaches the others within it.
    """

    def __init__(
        self,
        max_age: float = 60.0,
        first_year: int = 2020,
        last_year: int = 2035,
        *,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self.years = (first_year, last_year)
        self._base: WorkingCalendar | None = None
        self._current: WorkingCalendar | None = None
        self._checked: Expiring[str, WorkingCalendar] = Expiring(max_age, clock=clock)

    def get(self, uow: UnitOfWork) -> WorkingCalendar:
        """The calendar in force, reading the overrides through ``uow`` when due."""
        checked = self._checked.get("calendar")
        if checked is not None:
            return checked
        if self._base is None:
            self._base = WorkingCalendar.for_indonesia(*self.years)
        overrides = tuple(uow.calendar.overrides())
        # Building the calendar costs more than reading the overrides: only when they changed.
        if self._current is None or overrides != self._current.overrides:
            self._current = self._base.with_overrides(overrides)
        return self._checked.put("calendar", self._current)

    def invalidate(self) -> None:
        """Read the overrides again on next use."""
        self._checked.clear()


class ReferenceCache:
    """The catalog and the org chart, kept ``max_age`` seconds (local changes clear it at once).

    Routing, review and intake read them on the hot path; they change a few times a year.
    Who may act is never cached: ``actor_of`` reads the user on every action.
    """

    def __init__(self, max_age: float = 60.0, *, clock: Callable[[], float] = monotonic) -> None:
        self._charts: Expiring[str, OrgChart] = Expiring(max_age, clock=clock)
        self._services: Expiring[str, dict[str, Service]] = Expiring(max_age, clock=clock)
        # Bumped by every local change of users or credentials: caches keyed on who is
        # calling (aduan.web.auth.StaffCache) drop what they hold when it moves.
        self.generation = 0
        # The sight each user had on their last action: only a guess that lets the action read
        # the user and the case in one statement (``acting_on``), checked against the user read.
        self.sights: dict[str, Sight] = {}

    def orgchart(self, uow: UnitOfWork) -> OrgChart:
        """The org chart in force."""
        chart = self._charts.get("chart")
        if chart is None:
            chart = self._charts.put("chart", uow.reference.orgchart())
        return chart

    def service(self, uow: UnitOfWork, code: str) -> Service | None:
        """One catalog service, or None."""
        services = self._services.get("services")
        if services is None:
            services = {s.code: s for s in uow.reference.services()}
            self._services.put("services", services)
        return services.get(code)

    def invalidate(self) -> None:
        """Read both again on next use (and look every caller up again)."""
        self._charts.clear()
        self._services.clear()
        self.sights.clear()
        self.generation += 1


@dataclass(frozen=True, slots=True)
class Deps:
    """What every use case needs; ``bootstrap`` builds it with concrete adapters."""

    uow: UnitOfWorkFactory
    clock: Clock
    policy: Policy = field(default_factory=Policy)
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    calendars: CalendarCache = field(default_factory=CalendarCache)
    reference: ReferenceCache = field(default_factory=ReferenceCache)
    notify: NotifyPolicy = field(default_factory=NotifyPolicy)
    files: FileStore | None = None  # where evidence files live (None: uploads are refused)
    attachments: Attachments = field(default_factory=Attachments)  # their limits


SYSTEM = Actor("system", Role.SYSTEM)
COMPLAINANT_ACTIONS = frozenset(
    {
        Action.WITHDRAW,
        Action.UNDO_WITHDRAW,
        Action.REOPEN,
        Action.RECORD_INFO_REPLY,
        Action.WITHDRAW_QA_CONSENT,  # issue 14 item 7: no public Q&A of this complaint
    }
)


def actor_of(deps: Deps, uow: UnitOfWork, username: str) -> Actor:
    """The active staff user ``username`` as an actor; an input error when unknown or inactive.

    The user is read on every call (who may act is never cached); the unit of their post comes
    from the cached org chart, not from reading the whole chart on every action.
    """
    return _actor(deps, uow, username, uow.reference.user(username))


def _actor(deps: Deps, uow: UnitOfWork, username: str, user: StaffUser | None) -> Actor:
    if user is None or not user.active:
        raise InputError(
            "user",
            "known_active_user",
            N_("pengguna '%(username)s' tidak dikenal atau tidak aktif"),
            username=username,
        )
    unit = None
    if user.position is not None:  # the unit of their post: what the authority guards compare
        post = deps.reference.orgchart(uow).positions.get(user.position)
        unit = post.unit if post is not None else None
    return Actor(user.username, user.role, user.position, unit)


@dataclass(frozen=True, slots=True)
class Viewer:
    """A staff user as a case read path needs them: the actor and what they may see."""

    actor: Actor
    sight: Sight


def viewer_of(deps: Deps, uow: UnitOfWork, username: str) -> Viewer:
    """The active staff user ``username`` with their sight (DESIGN §6); as ``actor_of``."""
    actor = actor_of(deps, uow, username)
    return Viewer(actor, sight_for(actor))


def acting_on(deps: Deps, uow: UnitOfWork, username: str, ref: str) -> tuple[Viewer, Case]:
    """The active staff user ``username`` and the case ``ref`` in their sight, in one read.

    As ``viewer_of`` then ``uow.cases.get``, in one statement when the user's sight is the one
    of their last action (issue 15 item 2: one read of the case with its actor). The user is
    still read on every call: a changed role or post gives another sight, and then the case is
    read again in that one. An unknown or inactive user is an input error.
    """
    guess = deps.reference.sights.get(username)
    if guess is not None:
        user, case = uow.cases.get_as(ref, username, guess)
        actor = _actor(deps, uow, username, user)
        viewer = Viewer(actor, sight_for(actor))
        if viewer.sight == guess:
            if case is None:  # out of sight answers as a case that does not exist
                raise NotFoundError("kasus/case", ref)
            return viewer, case
    else:
        viewer = viewer_of(deps, uow, username)
    deps.reference.sights[username] = viewer.sight
    return viewer, uow.cases.get(ref, viewer.sight)


def sight_for(actor: Actor) -> Sight:
    """What ``actor`` may see: their role, the unit of their post, and who they are.

    A case that names them as concerned (terlapor) is out of their sight.
    """
    return sight_of(actor.role, actor.unit, actor.username)  # actor_of found the unit


def case_ref(ref: str) -> str:
    """A case reference as typed: a numeric id as it is, else a tracking code in any spelling."""
    text = ref.strip()
    return text if (text.isascii() and text.isdigit()) else intake.normalise_tracking_code(text)


def unknown_service(uow: UnitOfWork, code: str) -> InputError:
    """The error for a service code that is not in the catalog, naming the known ones."""
    known = ", ".join(s.code for s in uow.reference.services())
    return InputError(
        "service_code",
        "known_service",
        N_("layanan '%(code)s' tidak ada dalam katalog (pilihan: %(known)s)"),
        code=code,
        known=known,
    )
