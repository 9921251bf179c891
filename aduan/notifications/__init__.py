"""Notifications: outbox, channels (SMTP, webhook, in-app) and templates."""
