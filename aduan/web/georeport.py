"""GeoReport v2 encodings: the format a path asks for, XML documents and the error list.

Every Open311 endpoint answers in the format its path names (``services.json``,
``requests/ADN-….xml``); a path without one gets XML, the specification's default. Errors
take the same format: ``<errors><error><code>…</code><description>…</description></error>
</errors>`` or ``[{"code": …, "description": …}]``; a path naming a format GeoReport does not
have gets its error in XML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import Response

XML_MEDIA = "application/xml"
JSON_MEDIA = "application/json"
FORMATS = ("xml", "json")
# The element of one member of each list the specification nests (GeoReport v2 §Service
# Definition: ``<attributes><attribute>``, ``<values><value>``).
_MEMBER = {"attributes": "attribute", "values": "value"}


def format_of(path: str) -> str | None:
    """``"xml"`` or ``"json"`` from the path's extension, XML without one; None if unknown."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if "." not in last:
        return "xml"
    extension = last.rsplit(".", 1)[1].lower()
    return extension if extension in FORMATS else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _fill(parent: ET.Element, tag: str, value: Any) -> None:
    """Append ``<tag>`` for ``value``: lists as one member element each, None as empty."""
    element = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _fill(element, key, inner)
    elif isinstance(value, list | tuple):
        for member in value:
            _fill(element, _MEMBER.get(tag, tag.removesuffix("s")), member)
    elif value is not None:
        element.text = _text(value)


def xml_bytes(root: str, member: str | None, content: Any) -> bytes:
    """The document ``<root>`` of ``content``: a list as ``<member>`` elements, or one mapping."""
    top = ET.Element(root)
    if member is None:
        for key, value in content.items():
            _fill(top, key, value)
    else:
        for item in content:
            _fill(top, member, item)
    return bytes(ET.tostring(top, encoding="utf-8", xml_declaration=True))


def respond(
    fmt: str, root: str, member: str | None, content: Any, status_code: int = 200
) -> Response:
    """``content`` (JSON-ready data) in ``fmt``: the JSON as is, or the XML document."""
    if fmt == "json":
        body = json.dumps(content, ensure_ascii=False).encode()
        return Response(body, status_code=status_code, media_type=JSON_MEDIA)
    return Response(xml_bytes(root, member, content), status_code=status_code, media_type=XML_MEDIA)


def errors(
    path: str, status: int, description: str, headers: Mapping[str, str] | None = None
) -> Response:
    """GeoReport's error list for ``path``, in the format the path asks for (else XML)."""
    items: Sequence[dict[str, Any]] = [{"code": status, "description": description}]
    answer = respond(format_of(path) or "xml", "errors", "error", items, status)
    answer.headers.update(headers or {})
    return answer
