"""Delivery channels: SMTP, signed webhooks, letters and the in-app inbox."""
