"""A published Open311 client library (``georeport`` from PyPI) drives a running ``aduan serve``.

``georeport`` speaks GeoReport v2 in XML (parsed with xmltodict) and JSON: services, service
definitions and requests, without an ``api_key`` for reads, so it sees every request under its
public id, never its tracking code. It cannot file a request, so ``POST requests`` goes out as
the specification's form with a plain HTTP client and its XML answer is read with
``xml.etree``; the client that filed it reads it back by tracking code with its key. A request
filed 200 days ago comes back for its date range.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
import requests
from georeport import GeoReport  # type: ignore[import-untyped]

from aduan import service
from aduan.ports import FixedClock
from aduan.service import accounts
from aduan.service import open311 as clients
from aduan.workflow.states import Channel
from tests.conftest import wired
from tests.integration.builders import submission
from tests.web.server import aduan_serve
from tests.web.test_open311 import stored_ids

SERVICE = "15121"
JURISDICTION = "aduan.kab-contoh.go.id"
W3C = "%Y-%m-%dT%H:%M:%SZ"


def as_list(found: Any) -> list[dict[str, Any]]:
    """xmltodict gives one ``<request>`` as a mapping, several as a list."""
    return found if isinstance(found, list) else [found]


def seeded(db_url: str, long_ago: datetime) -> tuple[str, str]:
    """A client key and a request it filed ``long_ago`` (with a staff-entered case beside it)."""
    with wired(db_url, FixedClock(long_ago)) as deps:
        key = accounts.issue_client_key(deps, "Aplikasi Warga")
        client = clients.client_id(deps, key)
        old = service.submit_complaint(deps, submission(deps, channel="api"), open311_client=client)
        service.submit_complaint(
            deps, submission(deps, channel=Channel.WHATSAPP), recorded_by="budi"
        )
    return key, old.tracking_code


def filed(url: str, key: str, fmt: str) -> str:
    """``POST requests.{fmt}`` as a civic app sends it; the new request's id."""
    form = {
        "api_key": key,
        "jurisdiction_id": JURISDICTION,
        "service_code": SERVICE,
        "description": f"Izin belum terbit ({fmt})",
        "first_name": "Siti",
        "email": "siti@contoh.id",
        "attribute[licence_number]": "SS-2026-000123",
    }
    answer = httpx.post(f"{url}/requests.{fmt}", data=form, timeout=30)
    assert answer.status_code == 201, answer.text
    if fmt == "json":
        code: str = answer.json()[0]["service_request_id"]
        return code
    root = ET.fromstring(answer.content)
    assert root.tag == "service_requests"
    return root.findtext("request/service_request_id") or ""


def own(url: str, key: str, fmt: str, code: str) -> str:
    """The id of one request as its own client reads it back with its key."""
    answer = httpx.get(f"{url}/requests/{code}.{fmt}", params={"api_key": key}, timeout=30)
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        found: str = answer.json()[0]["service_request_id"]
        return found
    return ET.fromstring(answer.content).findtext("request/service_request_id") or ""


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_georeport_library_reads_what_a_civic_app_filed(tmp_path: Path, fmt: str) -> None:
    db_url = f"sqlite:///{tmp_path / 'aduan.db'}"
    long_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(days=200)
    key, old = seeded(db_url, long_ago)
    env = {"ADUAN_PUBLIC_URL": f"https://{JURISDICTION}"}

    with aduan_serve(db_url, tmp_path / "serve.log", **env) as (base, _):
        url = f"{base}/open311/v2"
        reader = GeoReport(url, jurisdiction=JURISDICTION, output_format=fmt)
        services = reader.get_service_list()
        definition = reader.get_service_definition(SERVICE)
        new = filed(url, key, fmt)
        ids = stored_ids(db_url)
        public_new, public_old = str(ids[new]), str(ids[old])
        one = reader.get_service_request(public_new)
        mine = own(url, key, fmt, new)
        with pytest.raises(requests.HTTPError) as by_code:
            reader.get_service_request(new)  # a tracking code opens nothing without the key
        recent = as_list(reader.get_service_requests())
        in_range = as_list(
            reader.get_service_requests(
                start_date=(long_ago - timedelta(days=1)).strftime(W3C),
                end_date=(long_ago + timedelta(days=1)).strftime(W3C),
            )
        )
        by_id = as_list(
            reader.get_service_requests(service_request_id=f"{public_old},{public_new}")
        )
        with pytest.raises(requests.HTTPError) as refused:
            reader.get_service_requests(start_date="bukan-tanggal")
        elsewhere = GeoReport(url, jurisdiction="kota-lain.go.id", output_format=fmt)
        with pytest.raises(requests.HTTPError) as wrong_place:
            elsewhere.get_service_list()

    assert SERVICE in [s["service_code"] for s in services]
    assert definition["service_code"] == SERVICE
    attributes = as_list(
        definition["attributes"]["attribute"] if fmt == "xml" else definition["attributes"]
    )
    assert "licence_number" in [a["code"] for a in attributes]
    assert one["service_request_id"] == public_new and one["status"] == "open"
    assert mine == new and by_code.value.response.status_code == 404
    assert [r["service_request_id"] for r in recent] == [public_new]
    assert [r["service_request_id"] for r in in_range] == [public_old]  # no staff case
    assert {r["service_request_id"] for r in by_id} == {public_old, public_new}
    shown = str([one, recent, in_range, by_id])
    assert not [code for code in ids if code in shown]  # no tracking code of any case
    for error in (refused.value.response, wrong_place.value.response):
        assert 400 <= error.status_code < 500
    if fmt == "json":
        assert "start_date" in refused.value.response.json()[0]["description"]
    else:
        root = ET.fromstring(refused.value.response.content)
        assert root.tag == "errors" and "start_date" in (root.findtext("error/description") or "")
