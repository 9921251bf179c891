"""Commands: what callers send to the service layer, validated by pydantic."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from aduan.locale import SOURCE_LANGUAGE, translate
from aduan.schemas import text
from aduan.workflow.states import Action, Channel

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^(\+62|62|0)[0-9]{8,13}$")


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # Nested commands check their own fields; a payload dict is checked whole.
        if not isinstance(value, BaseModel) and text.has_control(value):
            raise PydanticCustomError(text.RULE, translate(text.MESSAGE, SOURCE_LANGUAGE))
        return value


class ComplainantInput(_Command):
    """Identity of the complainant; any of it may be missing (that makes a suggestion)."""

    name: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=32)
    social: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=1_000)
    confidential: bool = True

    @field_validator("name", "social", "address")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().lower()
        if not _EMAIL.match(value):
            raise ValueError("not an email address (alamat email tidak valid), e.g. nama@contoh.id")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        digits = re.sub(r"[\s().-]", "", value)
        if not _PHONE.match(digits):
            raise ValueError(
                "not an Indonesian phone number (nomor telepon tidak valid), "
                "e.g. 0812xxxxxxx or +62…"
            )
        return "+62" + digits.removeprefix("+62").removeprefix("62").removeprefix("0")


class ChannelFactsInput(_Command):
    """What the channel records as the complaint arrives (seed §6 item 2; ``ChannelFacts``).

    Which channel takes which fact is ``intake.CHANNEL_FACTS``; a fact of another channel, or
    a required one missing, is refused by the service with the field named.
    """

    dropped_on: date | None = Field(
        default=None, description="Kotak Pengaduan: tanggal surat dimasukkan ke kotak"
    )
    letter_number: str | None = Field(default=None, max_length=100, description="Nomor surat")
    letter_date: date | None = Field(default=None, description="Tanggal surat")
    postmarked_on: date | None = Field(default=None, description="Tanggal cap pos")
    social_handle: str | None = Field(
        default=None, max_length=100, description="Twitter/Instagram: akun pengirim"
    )
    lapor_id: str | None = Field(
        default=None, max_length=64, description="SP4N-LAPOR!: nomor tiket"
    )
    lapor_received_on: date | None = Field(
        default=None, description="SP4N-LAPOR!: tanggal LAPOR! menerima pengaduan"
    )

    @field_validator("letter_number", "social_handle", "lapor_id")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class SubmitCommand(_Command):
    """Intake of a complaint through any channel (seed §6 item 2).

    ``service_received_on`` is required unless the service is not yet delivered
    (``service_pending``: "belum terbit/belum selesai"), which needs ``applied_on`` and a
    ``service_code`` of the catalog instead (items 2–3; ``intake.window_start``).
    """

    channel: Channel
    complainant: ComplainantInput = Field(default_factory=ComplainantInput)
    subject: ShortText
    description: str = Field(default="", max_length=20_000)
    service_code: str | None = Field(default=None, max_length=32)
    service_text: str | None = Field(default=None, max_length=500)
    licence_number: str | None = Field(default=None, max_length=100)
    service_received_on: date | None = None
    service_pending: bool = False
    applied_on: date | None = Field(default=None, description="Tanggal permohonan layanan")
    channel_facts: ChannelFactsInput = Field(default_factory=ChannelFactsInput)
    complained_at: AwareDatetime | None = None
    received_at: AwareDatetime | None = None
    # Issue 14 item 7: "Saya setuju pertanyaan dan jawaban atas pengaduan ini diterbitkan
    # tanpa identitas saya" — the complainant's own choice (staff record what they were told).
    qa_consent: bool = Field(
        default=False,
        description="Pelapor setuju pertanyaan dan jawaban diterbitkan tanpa identitasnya",
    )


class ActionCommand(_Command):
    """Perform one action of the transition table on a case."""

    case_ref: ShortText
    action: Action
    payload: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = Field(default=None, ge=1)
