"""SMS and WhatsApp through a gateway webhook: JSON POSTed with a timeout, signed HMAC-SHA256.

The ``Idempotency-Key`` header carries the outbox row's key, so the gateway can recognise the
rare duplicate an interrupted dispatcher sends again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field

import httpx

from aduan.ports import DeliveryError, OutboxEntry, RenderedMessage

SIGNATURE_HEADER = "X-Aduan-Signature"
TIMESTAMP_HEADER = "X-Aduan-Timestamp"
KEY_HEADER = "Idempotency-Key"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook signature: HMAC-SHA256 over ``timestamp.body``, hex, prefixed ``sha256=``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass(slots=True)
class WebhookChannel:
    """POSTs JSON to an SMS or WhatsApp gateway, signed, with a timeout."""

    name: str
    url: str
    secret: str
    timeout: float = 10.0
    _client: httpx.Client | None = field(default=None, repr=False)

    def send(self, entry: OutboxEntry, message: RenderedMessage) -> None:
        body = json.dumps(
            {
                "to": entry.message.recipient,
                "channel": self.name,
                "text": message.short if self.name == "sms" else message.text,
                "idempotency_key": entry.message.delivery_key,
                "event": entry.message.event,
            },
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            KEY_HEADER: entry.message.delivery_key,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self.secret, stamp, body),
        }
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(
                f"{self.name} gateway: {type(exc).__name__}: {exc}",
                unreachable=isinstance(exc, httpx.TransportError),  # down or not answering
            ) from None
        if response.status_code >= 300:
            # 4xx other than 408/429 will not get better by trying again.
            permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
            raise DeliveryError(
                f"{self.name} gateway answered {response.status_code}", permanent=permanent
            )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
