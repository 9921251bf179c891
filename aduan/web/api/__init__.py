"""HTTP API entry points: staff API under /api/v1, the public API and Open311."""
