"""HTML rendering of report documents with Jinja2 (autoescaped; charts are trusted SVG)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

_env = Environment(
    loader=PackageLoader("aduan.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return _env.get_template(template).render(**context)
