"""The server-rendered web UI for staff and the public."""
