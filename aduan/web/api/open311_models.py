"""The documents of Open311 GeoReport v2 (the same fields in JSON and XML)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

RECEIVED_ON = "service_received_on"
LICENCE_NUMBER = "licence_number"
PENDING = "service_pending"
APPLIED_ON = "applied_on"
QA_CONSENT = "qa_consent"  # issue 14 item 7: the public Q&A, with the complainant's consent


class ServiceItem(BaseModel):
    """A GeoReport service: one entry of the catalog."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValue(BaseModel):
    """A choice of a list attribute."""

    key: str
    name: str


class Attribute(BaseModel):
    """An extra field a request of this service may carry."""

    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[AttributeValue] = []


class ServiceDefinition(BaseModel):
    """The attributes of a service."""

    service_code: str
    attributes: list[Attribute]


class RequestCreated(BaseModel):
    """The answer to a new service request."""

    service_request_id: str
    service_notice: str
    account_id: str | None = None


class ServiceRequest(BaseModel):
    """A service request as GeoReport shows it (status only, nobody's identity)."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str
    service_code: str | None
    service_name: str | None
    agency_responsible: str
    requested_datetime: datetime
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    media_url: str | None = None  # the first file's address (none until attachments exist)


ATTRIBUTES = [
    Attribute(
        variable=True,
        code=RECEIVED_ON,
        datatype="datetime",
        required=False,
        datatype_description="YYYY-MM-DD; tanpa isian: hari ini / default today",
        order=1,
        description="Tanggal menerima layanan / date the service was received",
    ),
    Attribute(
        variable=True,
        code=LICENCE_NUMBER,
        datatype="string",
        required=False,
        datatype_description="Nomor izin/berkas / licence or file number",
        order=2,
        description="Nomor izin / licence number",
    ),
    Attribute(
        variable=True,
        code=PENDING,
        datatype="singlevaluelist",
        required=False,
        datatype_description="true: layanan belum terbit/belum selesai / not yet delivered",
        order=3,
        description="Layanan belum terbit? / service not yet delivered?",
        values=[
            AttributeValue(key="false", name="Sudah diterima / received"),
            AttributeValue(key="true", name="Belum terbit/belum selesai / not yet delivered"),
        ],
    ),
    Attribute(
        variable=True,
        code=APPLIED_ON,
        datatype="datetime",
        required=False,
        datatype_description="YYYY-MM-DD; wajib bila service_pending=true / required then",
        order=4,
        description="Tanggal permohonan layanan / date the service was applied for",
    ),
    Attribute(
        variable=True,
        code=QA_CONSENT,
        datatype="singlevaluelist",
        required=False,
        datatype_description=(
            "true: pelapor setuju pertanyaan dan jawaban diterbitkan tanpa identitasnya; "
            "tanpa isian: tidak / true: the complainant agrees that the question and answer "
            "be published without their identity; default no"
        ),
        order=5,
        description=(
            "Saya setuju pertanyaan dan jawaban atas pengaduan ini diterbitkan tanpa identitas "
            "saya / I agree that the question and answer of this complaint be published "
            "without my identity"
        ),
        values=[
            AttributeValue(key="false", name="Tidak setuju / do not agree"),
            AttributeValue(key="true", name="Setuju / agree"),
        ],
    ),
]
