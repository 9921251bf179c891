"""Aduan: complaint handling for Indonesian public-service offices (DPMPTSP)."""

__version__ = "0.1.0"
