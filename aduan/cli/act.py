"""``aduan act CASE ACTION``: one command for every action, its options generated from the payloads.

Each field of an action's payload model (``aduan.workflow.actions.ACTIONS``) is an option, its
help text the field's description with the actions that take it, its choices those of its enum.
Adding a field to a payload adds the option; nothing here lists actions or fields by hand, except
the few option names kept shorter than their field (``--service`` for ``service_code``) and the
fields typed in a form of their own (a plan step as ``kind:party[:description]``, a time in ISO).
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from aduan import service as svc
from aduan.cli import common, terminal
from aduan.schemas.commands import ActionCommand
from aduan.schemas.views import CaseDetail, TrackingView
from aduan.service import cases as svc_cases
from aduan.workflow.actions import ACTIONS
from aduan.workflow.errors import InputError
from aduan.workflow.states import N_, Action

# Option names kept as the README has always spelled them.
OPTION_NAMES = {
    "service_code": "service",
    "problem_types": "problem",
    "extra_links": "link",
    "corrective_actions": "corrective",
}


def _plan_step(text: str) -> dict[str, str]:
    parts = text.split(":", 2)
    if len(parts) < 2:
        raise InputError(
            "plan",
            "kind:party[:description]",
            N_("langkah tidak lengkap: %(text)r"),
            text=text,
        )
    return {
        "kind": parts[0].strip(),
        "party": parts[1].strip(),
        "description": parts[2].strip() if len(parts) > 2 else "",
    }


# Fields whose typed text becomes the payload's value by a parser of their own.
PARSERS: dict[str, Callable[[Any], Any]] = {
    "plan": lambda values: [_plan_step(v) for v in values],
    "sent_at": lambda text: common.moment(text, "sent_at"),
}


def typed_fields() -> dict[str, list[tuple[Action, FieldInfo]]]:
    """Every field a person types for some action (not those the service supplies), in order."""
    found: dict[str, list[tuple[Action, FieldInfo]]] = {}
    for action, declared in ACTIONS.items():
        for name, info in declared.payload.model_fields.items():
            if not name.endswith("_context"):
                found.setdefault(name, []).append((action, info))
    return found


def _inner(annotation: Any) -> Any:
    """``X`` of ``X | None`` and of ``list[X]``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    is_union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    if is_union and len(args) == 1:
        return _inner(args[0])
    if typing.get_origin(annotation) is list:
        return _inner(args[0])
    if typing.get_origin(annotation) is Annotated:
        return _inner(args[0])
    return annotation


def _help(name: str, uses: list[tuple[Action, FieldInfo]]) -> str:
    parts: list[str] = []
    for description in dict.fromkeys(info.description or name for _, info in uses):
        same = [(a, info) for a, info in uses if (info.description or name) == description]
        everyone = len(same) == len(ACTIONS)
        actions = "semua tindakan" if everyone else "/".join(a.value for a, _ in same)
        parts.append(f"{actions}: {description}{_choices(same[0][1])}")
    return "; ".join(parts) + "."


def _choices(info: FieldInfo) -> str:
    inner = _inner(info.annotation)
    if isinstance(inner, type) and issubclass(inner, Enum):
        return " (" + "|".join(str(m.value) for m in inner) + ")"
    if isinstance(inner, type) and issubclass(inner, BaseModel) and "kind" in inner.model_fields:
        kind = _inner(inner.model_fields["kind"].annotation)
        return " (jenis: " + "|".join(str(m.value) for m in kind) + ")"
    return ""


def _option_type(uses: list[tuple[Action, FieldInfo]]) -> Any:
    annotations = [info.annotation for _, info in uses]
    if any(typing.get_origin(_strip_optional(a)) is list for a in annotations):
        return list[str] | None
    if all(_inner(a) is int for a in annotations):
        return int | None
    return str | None


def _strip_optional(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


def option_parameters() -> list[inspect.Parameter]:
    """One keyword parameter per typed payload field, annotated as a Typer option."""
    params = []
    for name, uses in typed_fields().items():
        flag = "--" + OPTION_NAMES.get(name, name).replace("_", "-")
        option = typer.Option(flag, help=_help(name, uses))
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[_option_type(uses), option],
            )
        )
    return params


def act(
    case: str,
    action: Action,
    as_user: str,
    complainant: bool,
    pin: str,
    version: int | None,
    as_json: bool,
    **fields: Any,
) -> None:
    """Lakukan tindakan pada kasus / take an action of the procedure on a case."""

    def go() -> CaseDetail | TrackingView:
        payload = {
            name: PARSERS[name](value) if name in PARSERS else value
            for name, value in fields.items()
            if value is not None
        }
        if complainant:
            return svc.act_as_complainant(common.deps(), case, action, payload, pin)
        if not as_user:
            raise InputError(
                "--as",
                "required",
                N_("sebutkan pengguna dengan --as atau ADUAN_USER"),
            )
        deps = common.deps()
        if action is Action.OPEN_APIP:  # by tracking code: APIP does not see the case before
            done = svc_cases.open_apip_by_code(deps, case, as_user, payload)
            return svc.get_case(deps, done.tracking_code, as_user)
        cmd = ActionCommand(case_ref=case, action=action, payload=payload, expected_version=version)
        done = svc.perform_action(deps, cmd, as_user)
        return svc.get_case(deps, done.tracking_code, as_user)

    result = common.run(go)
    if as_json:
        common.print_json(result)
    elif isinstance(result, TrackingView):
        typer.echo(terminal.tracking_text(result))
    else:
        typer.echo(terminal.case_text(result))


_FIXED = [
    inspect.Parameter(
        "case",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[str, typer.Argument(help="Kode pelacakan atau nomor kasus.")],
    ),
    inspect.Parameter(
        "action",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[Action, typer.Argument(help="Tindakan / action.")],
    ),
    inspect.Parameter(
        "as_user", inspect.Parameter.KEYWORD_ONLY, default="", annotation=common.AsUser
    ),
    inspect.Parameter(
        "complainant",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool, typer.Option("--complainant", help="Sebagai pelapor (withdraw/reopen).")
        ],
    ),
    inspect.Parameter(
        "pin",
        inspect.Parameter.KEYWORD_ONLY,
        default="",
        annotation=Annotated[
            str, typer.Option("--pin", help="PIN pelapor dari tanda terima (dengan --complainant).")
        ],
    ),
    inspect.Parameter(
        "version",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            int | None, typer.Option(help="Versi yang Anda lihat / expected version.")
        ],
    ),
]
_JSON = inspect.Parameter(
    "as_json", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=common.JsonOpt
)


def _command(**kwargs: Any) -> None:
    fixed = {p.name: kwargs.pop(p.name) for p in (*_FIXED, _JSON)}
    act(**fixed, **kwargs)


_command.__signature__ = inspect.Signature([*_FIXED, *option_parameters(), _JSON])  # type: ignore[attr-defined]
_command.__annotations__ = {
    p.name: p.annotation
    for p in _command.__signature__.parameters.values()  # type: ignore[attr-defined]
}
_command.__doc__ = act.__doc__
common.commands.command("act")(_command)
