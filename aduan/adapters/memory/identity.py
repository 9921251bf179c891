"""In-memory adapter of the identity repository, for the unit of work in ``memory``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aduan.adapters.rows import case_from_row
from aduan.ports import IdentityAccess, IntakeKey, Open311Query
from aduan.schemas import views

if TYPE_CHECKING:
    from aduan.adapters.memory.store import Data


@dataclass(slots=True)
class IdentityRows:
    """The identity-access log and the per-case PIN hashes and Open311 clients."""

    log: list[IdentityAccess] = field(default_factory=list)
    pins: dict[int, str] = field(default_factory=dict)
    clients: dict[int, int] = field(default_factory=dict)
    public_ids: dict[int, str] = field(default_factory=dict)
    intake_keys: dict[str, IntakeKey] = field(default_factory=dict)

    def copy(self) -> IdentityRows:
        """A working copy for one unit of work (entries are never changed in place)."""
        return replace(
            self,
            log=list(self.log),
            pins=dict(self.pins),
            clients=dict(self.clients),
            public_ids=dict(self.public_ids),
            intake_keys=dict(self.intake_keys),
        )


class InMemoryIdentityRepository:
    """The identity repository in a unit of work's working copy."""

    def __init__(self, data: Data) -> None:
        self._data = data
        self._rows = data.identity

    def record(self, access: IdentityAccess) -> None:
        self._rows.log.append(access)

    def accesses(self, start: datetime, end: datetime, limit: int) -> list[IdentityAccess]:
        found = [a for a in reversed(self._rows.log) if start <= a.at < end][:limit]
        codes = {case_id: code for code, case_id in self._data.codes.items()}
        return [replace(a, tracking_code=codes.get(a.case_id, "")) for a in found]

    def set_pin(self, case_id: int, pin_hash: str) -> None:
        self._rows.pins[case_id] = pin_hash

    def pin_hash(self, case_id: int) -> str | None:
        return self._rows.pins.get(case_id)

    def claim_intake_key(self, key: IntakeKey) -> bool:
        if key.key_hash in self._rows.intake_keys:
            return False
        self._rows.intake_keys[key.key_hash] = key
        return True

    def intake_key(self, key_hash: str) -> IntakeKey | None:
        return self._rows.intake_keys.get(key_hash)

    def client_key_id(self, key_hash: str) -> int | None:
        # The store keeps keys in the order they were issued: the position is the id.
        for number, (stored, (_label, revoked)) in enumerate(self._data.accounts.keys.items(), 1):
            if stored == key_hash:
                return number if revoked is None else None
        return None

    def set_client(self, case_id: int, client_id: int, public_id: str) -> None:
        self._rows.clients[case_id] = client_id
        self._rows.public_ids[case_id] = public_id

    def client_of(self, case_id: int) -> int | None:
        return self._rows.clients.get(case_id)

    def public_id_of(self, case_id: int) -> str | None:
        return self._rows.public_ids.get(case_id)

    def public_request(self, public_id: str) -> str | None:
        for case_id, given in self._rows.public_ids.items():
            if given == public_id and case_id not in self._data.sealed:
                return str(self._data.cases[case_id]["tracking_code"])
        return None

    def open311_requests(self, query: Open311Query) -> list[dict[str, Any]]:
        out = []
        for case_id, client in self._rows.clients.items():
            if query.client is not None and client != query.client:
                continue
            if query.client is None and case_id in self._data.sealed:
                continue
            case = case_from_row(dict(self._data.cases[case_id]))
            public_id = self._rows.public_ids[case_id]
            if query.codes:
                by_id = case.tracking_code if query.client is not None else public_id
                chosen = by_id in query.codes
            else:
                chosen = (
                    query.start <= case.received_at <= query.end
                    and (not query.service_codes or case.service_code in query.service_codes)
                    and (not query.statuses or case.status in query.statuses)
                )
            if chosen:
                row = {**views.summary_fields(case), "public_id": public_id}
                out.append((case.received_at, case_id, row))
        out.sort(key=lambda row: (row[0], row[1]), reverse=True)
        return [row[2] for row in out[query.offset : query.offset + query.limit]]
