"""What guards and effects see: the case, the actor, the validated payload, the time, the policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aduan.workflow.case import Actor, Case, WrittenReport
from aduan.workflow.payloads import Payload


@dataclass(frozen=True, slots=True)
class Policy:
    """Configurable limits of the procedure; the defaults are the seed's."""

    intake_window_days: int = 30  # seed §6 item 2: 30 calendar days after the service
    reopen_window_days: int = 14  # how long a complainant may dispute a closed result
    withdraw_undo_hours: int = 72  # how long a withdrawal may be undone (issue 12 item 4)


@dataclass(slots=True)
class ActionContext:
    """One action in flight. Effects append the written reports they produce to ``reports``."""

    case: Case
    actor: Actor
    payload: Payload
    now: datetime
    policy: Policy
    reports: list[WrittenReport] = field(default_factory=list)
