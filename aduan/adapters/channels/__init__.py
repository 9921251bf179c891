"""Delivery channels: the concrete ``ports.Channel`` adapters, one module per technology.

- ``smtp``: email over SMTP with STARTTLS or TLS and a login, one reused connection, a
  plain-text part and an HTML part;
- ``webhook``: ``sms`` and ``whatsapp`` through a gateway, JSON signed with HMAC-SHA256;
- ``letter``: a frozen PDF letter (and its JSON snapshot) written to a folder for the office
  to print and post;
- ``inapp``: the staff inbox; the row itself is the message, so delivery only marks it.

Each message carries its delivery key (``Message-ID``/``X-Aduan-Idempotency-Key`` for email,
``Idempotency-Key`` for webhooks, the file name for letters): the idempotency key and the row's
random nonce (``OutboxMessage.delivery_key``, unique even after a restore from a backup), so
that a receiver can recognise the rare duplicate an interrupted dispatcher sends again.
``aduan.bootstrap`` picks which channels the settings configure; adding a channel adds one module
here.
"""
