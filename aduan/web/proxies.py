"""The caller's address and scheme: ``X-Forwarded-*`` believed only from configured proxies.

uvicorn believed ``X-Forwarded-For`` from 127.0.0.1 by default, so anyone who could reach the
port from the machine (or through a proxy that passes the header on) forged their address: it
got past the login throttle and the public intake limit and was written to the audit; and
behind a proxy on another host every caller had the proxy's address (issue 17). ``aduan
serve`` turns uvicorn's handling off; this middleware replaces it. Only when the connection
comes from a proxy listed in ``ADUAN_TRUSTED_PROXIES`` does it read ``X-Forwarded-For`` from
the right, skipping listed proxies, and take the first address that is not one; and
``X-Forwarded-Proto`` (http or https). Anything else keeps the connection's own address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Sequence[str]) -> tuple[Network, ...]:
    """Parsed networks of ``cidrs`` (already checked by the settings)."""
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def _inside(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in trusted)


def forwarded_client(peer: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The caller's address: ``peer`` unless it is a trusted proxy that says who it served."""
    if not _inside(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a hop that is no address: believe nothing further along
        if not _inside(hop, trusted):
            return hop
    return hops[0] if hops else peer


class TrustedProxies:
    """Set the ASGI scope's ``client`` and ``scheme`` from headers of trusted proxies only."""

    def __init__(self, app: ASGIApp, trusted: Sequence[str]) -> None:
        self.app = app
        self.trusted = networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        client = scope.get("client")
        if scope["type"] == "http" and self.trusted and client:
            peer = str(client[0])
            if _inside(peer, self.trusted):
                headers: dict[bytes, str] = {}
                for key, value in scope.get("headers", ()):  # a repeated header: joined
                    seen = headers.get(key)
                    text = value.decode("latin-1")
                    headers[key] = f"{seen},{text}" if seen else text
                caller = forwarded_client(peer, headers.get(b"x-forwarded-for", ""), self.trusted)
                scope = dict(scope)
                scope["client"] = (caller, 0 if caller != peer else client[1])
                proto = headers.get(b"x-forwarded-proto", "").split(",")[-1].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        await self.app(scope, receive, send)
