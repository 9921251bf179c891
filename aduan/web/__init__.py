"""The HTTP side of Aduan: `aduan serve`, the API under /api/v1, Open311 and the web UI."""
