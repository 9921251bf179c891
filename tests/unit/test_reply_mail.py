"""Replies by email, pure parts (issue 14 item 5): tokens, the reply's own words, parsing."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from aduan.adapters.channels import mailparse
from aduan.notifications import replies
from aduan.service.mailtext import CUT, reply_text

KEY = "case:12:v4:info_requested:complainant:email/9f1c2d3e4a5b6c7d"


def test_a_token_names_its_row_and_only_the_row_with_that_key_matches() -> None:
    message_id = replies.message_id(41, KEY)
    (token,) = replies.tokens_in([message_id])

    assert token.entry_id == 41
    assert replies.matches(token, KEY)
    assert not replies.matches(token, KEY.replace("9f1c", "0000"))  # another row's nonce
    tagged = replies.tagged_address("pengaduan@dpmptsp.example.id", replies.reply_token(41, KEY))
    assert replies.tokens_in([tagged]) == [token]


def test_tracking_codes_are_read_from_a_subject_in_any_spelling() -> None:
    subject = "Re: Permintaan informasi adn-7k3mq 9p2xz / ADN-7K3MQ-9P2XZ"
    assert replies.tracking_codes_in(subject) == ["ADN-7K3MQ-9P2XZ"]
    assert replies.tracking_codes_in("Re: pertanyaan izin") == []


@pytest.mark.parametrize(
    ("body", "reply"),
    [
        (
            "NIB saya 912.\n\nOn Fri, Aug 14, 2026 at 10:00 AM Aduan <a@x.id> wrote:\n> Mohon NIB",
            "NIB saya 912.",
        ),
        (  # Gmail in Indonesian wraps its long quote line
            "Terlampir.\n\nPada tanggal Jum, 14 Agu 2026 pukul 10.00 Aduan\n<a@x.id> menulis:\n> x",
            "Terlampir.",
        ),
        (
            "Sudah saya kirim.\n\n________________________________\nFrom: Aduan\nSent: Friday\n",
            "Sudah saya kirim.",
        ),
        ("Dari: Budi, pemohon\nNIB 912", "Dari: Budi, pemohon\nNIB 912"),  # not a quote block
        ("> Pertanyaan 1\nJawaban 1\n> Pertanyaan 2\nJawaban 2\n-- \nBudi", "Jawaban 1\nJawaban 2"),
        ("-----Pesan Asli-----\nDari: Aduan", ""),
    ],
)
def test_the_reply_keeps_the_complainants_words_without_the_quoted_notice(
    body: str, reply: str
) -> None:
    assert reply_text(body) == reply


def test_a_long_reply_is_cut_and_says_so() -> None:
    cut = reply_text("kata " * 5_000, limit=1_000)
    assert len(cut) <= 1_000
    assert cut.endswith(CUT)


def test_a_reply_is_parsed_with_its_references_sender_and_files() -> None:
    mail = EmailMessage()
    mail["From"] = "Siti <Siti.Aminah@Contoh.ID>"
    mail["To"] = "pengaduan+41.abc@dpmptsp.example.id"
    mail["Subject"] = "Re: Permintaan"
    mail["Message-ID"] = "<r1@contoh.id>"
    mail["In-Reply-To"] = "<41.0123456789abcdef0123456789abcdef@aduan>"
    mail["Authentication-Results"] = "mx.example; dmarc=fail header.from=contoh.id"
    mail.set_content("Jawaban saya")
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="nib.pdf")

    parsed = mailparse.parse("7", mail.as_bytes())

    assert parsed.problem is None
    assert (parsed.uid, parsed.message_id, parsed.sender) == (
        "7",
        "r1@contoh.id",
        "siti.aminah@contoh.id",
    )
    assert parsed.references == ("41.0123456789abcdef0123456789abcdef@aduan",)
    assert "pengaduan+41.abc@dpmptsp.example.id" in parsed.recipients
    assert parsed.text.strip() == "Jawaban saya"
    assert [(f.name, f.content) for f in parsed.files] == [("nib.pdf", b"%PDF-1.4")]
    assert parsed.auth_failed
    assert not parsed.automatic
    mail["Auto-Submitted"] = "auto-replied"
    assert mailparse.parse("8", mail.as_bytes()).automatic


def test_an_html_only_reply_is_read_as_text_without_its_quote() -> None:
    mail = EmailMessage()
    mail["From"] = "a@b.id"
    mail.set_content(
        "<p>Baris satu<br>baris &amp; dua</p><blockquote>kutipan</blockquote>", subtype="html"
    )
    parsed = mailparse.parse("1", mail.as_bytes())
    assert parsed.text == "Baris satu\nbaris & dua"
    assert parsed.message_id.startswith("sha256:")  # no Message-ID: known by its bytes


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\xff\xfe\r\n\r\n\x80", b"From: \r\n\r\nbody", b"Subject: =?x?q?\r\n\r\n"],
)
def test_a_malformed_message_is_a_problem_never_an_exception(raw: bytes) -> None:
    parsed = mailparse.parse("9", raw)
    assert parsed.problem is not None
    assert parsed.message_id == mailparse.raw_id(raw)
