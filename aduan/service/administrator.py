"""Who may change reference data and credentials: an active user with the administrator role.

Calendar overrides move every open deadline; the catalog, the org chart, users, passwords,
tokens and Open311 keys decide who may do what. The use cases that change them check the
caller here, so the CLI, the API and the UI all get the same rule (DESIGN §6).
"""

from __future__ import annotations

from aduan.ports import UnitOfWork
from aduan.workflow.errors import AccessDeniedError, InputError
from aduan.workflow.states import N_, Role


def require_admin(uow: UnitOfWork, username: str | None) -> None:
    """Raise unless ``username`` is an active administrator.

    Args:
        uow: The unit of work of the use case (the user is read on every call, never cached).
        username: Who asks; ``None`` only for trusted in-process callers (the first-start
            bootstrap that creates the first administrator's password, the seed).

    Raises:
        InputError: ``known_active_user`` when the user is unknown or inactive.
        AccessDeniedError: ``admin_only`` when the user is not an administrator.
    """
    if username is None:
        return
    user = uow.reference.user(username)
    if user is None or not user.active:
        raise InputError(
            "user",
            "known_active_user",
            N_("pengguna '%(username)s' tidak dikenal atau tidak aktif [known_active_user]"),
            username=username,
        )
    if user.role is not Role.ADMIN:
        raise AccessDeniedError(
            "admin_only",
            N_(
                "hanya administrator yang dapat mengubah data acuan dan kredensial "
                "('%(username)s' berperan %(role)s) [admin_only]"
            ),
            username=user.username,
            role=user.role.value,
        )
