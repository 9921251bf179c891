"""Licence services from the published service standards, and the standard links of a complaint."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from aduan.workflow.case import StandardLink
from aduan.workflow.errors import VERBATIM, InputError
from aduan.workflow.states import N_, PROBLEM_TYPE_LABELS, ProblemType

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z._-]{1,32}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Service(BaseModel):
    """One service of the catalog (a Standar Pelayanan)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    kbli: str = ""
    standard_number: int | None = None
    title: Name
    sector: str = ""
    licence_type: Name
    risk_level: Name
    completion_days: int = Field(ge=1, le=365)
    fee: Name
    product: Name
    procedure_classifications: list[int] = Field(default_factory=list)
    procedure_text: str = ""
    legal_basis: list[Name] = Field(min_length=1)
    technical_agency: str | None = None
    source: str = ""


def parse_services(data: dict[str, Any], origin: str) -> list[Service]:
    """Validate the ``[[service]]`` tables of a catalog document."""
    rows = data.get("service")
    if not isinstance(rows, list) or not rows:
        raise InputError(
            "service",
            "required",
            N_("%(origin)s: tidak ada [[service]]"),
            origin=origin,
        )
    services: list[Service] = []
    for i, row in enumerate(rows):
        try:
            services.append(Service.model_validate(row))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = f"service[{i}]." + ".".join(str(p) for p in err["loc"])
            raise InputError(field, err["type"], VERBATIM, text=f"{origin}: {err['msg']}") from None
    codes = [s.code for s in services]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise InputError("service.code", "unique", N_("kode ganda: %(dupes)s"), dupes=dupes)
    return services


def load_services(path: Path | None = None) -> list[Service]:
    """Read a catalog file; without a path, the catalog shipped with Aduan (the four seeds)."""
    if path is None:
        text = resources.files("aduan.catalog").joinpath("services.toml").read_text("utf-8")
        return parse_services(tomllib.loads(text), "services.toml")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError("file", "readable_toml", VERBATIM, text=f"{path}: {exc}") from None
    return parse_services(data, str(path))


def _component_text(service: Service, problem: ProblemType) -> str:
    label = PROBLEM_TYPE_LABELS[problem]
    details = {
        ProblemType.PROCEDURE: service.procedure_text,
        ProblemType.COMPLETION_TIME: f"{service.completion_days} hari kerja sejak berkas lengkap",
        ProblemType.FEES: service.fee,
        ProblemType.PRODUCT: service.product,
    }
    detail = details.get(problem, "")
    return f"{label}: {detail}" if detail else label


def standard_links(service: Service | None, problems: list[ProblemType]) -> list[StandardLink]:
    """Item 6b: the standard components matching each problem type, then the legal basis."""
    links = [
        StandardLink(
            "component",
            problem.value,
            _component_text(service, problem) if service else PROBLEM_TYPE_LABELS[problem],
        )
        for problem in problems
    ]
    if service:
        links += [
            StandardLink("regulation", f"{service.code}-law-{i}", law)
            for i, law in enumerate(service.legal_basis, 1)
        ]
    return links
