"""The organisation chart: units, positions and staff users, and the tier chains it implies."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from aduan.workflow.case import TierLevel
from aduan.workflow.errors import VERBATIM, InputError, NotFoundError
from aduan.workflow.states import N_, Role

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9a-z][0-9a-z._-]{0,63}$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
# A staff email: something@domain.tld, no spaces (the office's own addresses, not a full RFC 5322).
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
NIP = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{18}$")]
UnitKind = Literal["office", "agency", "apip"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(_Row):
    """An organisation: the office, a regional agency (Perangkat Daerah) or APIP."""

    code: Code
    name: Name
    kind: UnitKind
    entry_position: Code | None = None


class Position(_Row):
    """A post in a unit; ``reports_to`` is the post directly above (atasan langsung)."""

    code: Code
    unit: Code
    title: Name
    reports_to: Code | None = None
    # An acting holder (Pelaksana tugas, "Plt."): the username who acts for the post while it
    # has no active holder of its own; a case routed to the post is theirs.
    acting: Code | None = None


class StaffUser(_Row):
    """A person who uses Aduan, with the role the transition table knows them by."""

    username: Code
    full_name: Name
    role: Role
    position: Code | None = None
    email: Email | None = None
    nip: NIP | None = None  # Nomor Induk Pegawai: 18 digits
    active: bool = True


@dataclass(frozen=True, slots=True)
class OrgChart:
    """The whole chart, checked for consistency when built."""

    units: dict[str, Unit]
    positions: dict[str, Position]
    users: dict[str, StaffUser]

    def office(self) -> Unit:
        """The office itself (the internal track's unit)."""
        for unit in self.units.values():
            if unit.kind == "office":
                return unit
        raise NotFoundError("unit", "office")

    def agency(self, code: str) -> Unit:
        """A regional agency or technical team by code; anything else is an input error."""
        unit = self.units.get(code)
        if unit is None or unit.kind != "agency":
            known = ", ".join(sorted(u.code for u in self.units.values() if u.kind == "agency"))
            raise InputError(
                "agency",
                "known_agency",
                N_("perangkat daerah '%(code)s' tidak dikenal (pilihan: %(known)s)"),
                code=code,
                known=known,
            )
        return unit

    def holder(self, position: str) -> str | None:
        """The first active user holding a position, else its active acting holder (Plt.)."""
        for user in self.users.values():
            if user.position == position and user.active:
                return user.username
        post = self.positions.get(position)
        acting = self.users.get(post.acting) if post is not None and post.acting else None
        return acting.username if acting is not None and acting.active else None

    def apip(self) -> Unit:
        """The inspectorate (APIP), whose entry post receives an approved APIP case."""
        for unit in self.units.values():
            if unit.kind == "apip":
                return unit
        raise NotFoundError("unit", "apip")

    def chain(self, unit_code: str) -> list[TierLevel]:
        """Tier levels from the unit's entry position up its ``reports_to`` line (item 7a–b)."""
        unit = self.units[unit_code]
        levels: list[TierLevel] = []
        code = unit.entry_position
        while code is not None:
            post = self.positions[code]
            levels.append(TierLevel(post.code, post.title, post.unit, self.holder(post.code)))
            code = post.reports_to
        return levels

    def superior_of(self, position: str | None) -> tuple[str, str] | None:
        """(username or title, title) of the post directly above ``position``."""
        if position is None or position not in self.positions:
            return None
        above = self.positions[position].reports_to
        if above is None:
            return None
        post = self.positions[above]
        return (self.holder(above) or post.title, post.title)


def _parse(cls: type[_Row], rows: Any, table: str) -> list[Any]:
    items = []
    for i, row in enumerate(rows or []):
        try:
            items.append(cls.model_validate(row))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = f"{table}[{i}]." + ".".join(str(p) for p in err["loc"])
            raise InputError(field, err["type"], VERBATIM, text=err["msg"]) from None
    return items


def _bad(field: str, rule: str, text: str) -> InputError:
    return InputError(field, rule, VERBATIM, text=text)


def _check_no_cycles(chart: OrgChart) -> None:
    for start in chart.positions:
        seen: set[str] = set()
        code: str | None = start
        while code is not None:
            if code in seen:
                raise _bad(
                    f"position.{start}.reports_to", "no_cycle", f"reporting cycle at '{code}'"
                )
            seen.add(code)
            code = chart.positions[code].reports_to


def build_orgchart(
    units: list[Unit], positions: list[Position], users: list[StaffUser]
) -> OrgChart:
    """Check references and cycles, then build the chart."""
    chart = OrgChart(
        {u.code: u for u in units}, {p.code: p for p in positions}, {u.username: u for u in users}
    )
    for p in positions:
        if p.unit not in chart.units:
            raise _bad(f"position.{p.code}.unit", "known_unit", f"unknown unit '{p.unit}'")
        if p.acting is not None and p.acting not in chart.users:
            raise _bad(f"position.{p.code}.acting", "known_user", f"unknown user '{p.acting}'")
        if p.reports_to is not None and p.reports_to not in chart.positions:
            raise _bad(
                f"position.{p.code}.reports_to", "known_position", f"unknown '{p.reports_to}'"
            )
    for u in units:
        if u.entry_position is not None and u.entry_position not in chart.positions:
            raise _bad(
                f"unit.{u.code}.entry_position", "known_position", f"unknown '{u.entry_position}'"
            )
    _check_no_cycles(chart)
    for user in users:
        if user.position is not None and user.position not in chart.positions:
            raise _bad(
                f"user.{user.username}.position", "known_position", f"unknown '{user.position}'"
            )
    return chart


def parse_orgchart(data: dict[str, Any]) -> OrgChart:
    """Validate the ``[[unit]]``, ``[[position]]`` and ``[[user]]`` tables of a document."""
    return build_orgchart(
        _parse(Unit, data.get("unit"), "unit"),
        _parse(Position, data.get("position"), "position"),
        _parse(StaffUser, data.get("user"), "user"),
    )


def load_orgchart(path: Path | None = None) -> OrgChart:
    """Read an org chart file; without a path, the sample chart shipped with Aduan."""
    if path is None:
        text = resources.files("aduan.catalog").joinpath("orgchart.toml").read_text("utf-8")
        return parse_orgchart(tomllib.loads(text))
    try:
        return parse_orgchart(tomllib.loads(path.read_text("utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _bad("file", "readable_toml", f"{path}: {exc}") from None
