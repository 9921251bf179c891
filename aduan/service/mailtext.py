"""The complainant's own words in a reply by email: the quoted notice and signature cut off.

Mail programs put the reply above the message they answer and quote that message below a line
such as ``On Mon, 1 Dec 2026, Aduan <…> wrote:``, ``Pada tanggal … menulis:``, an Outlook
``-----Original Message-----`` or ``From:``/``Dari:`` block, or with ``>`` before each line.
What comes before the first such line is the reply; lines quoted with ``>`` are dropped
wherever they are; a signature after ``-- `` is dropped. A reply above a quoted message may
be empty (the words are in a file attached); one that was only a signature keeps its
unquoted lines. The text is cut to ``limit``
characters, saying so.
"""

from __future__ import annotations

import re

LIMIT = 10_000  # the most a reply may hold (``InfoReplyPayload.reply``)
CUT = "\n[… dipotong / truncated]"
_HEADER_LINES = (
    r"(On|Pada)\b.{0,300}\b(wrote|menulis|schrieb|a écrit)\s*:\s*$",
    r"-{2,}\s*(Original Message|Pesan Asli|Forwarded message|Pesan yang diteruskan)\s*-{2,}",
    r"_{8,}\s*$",
)
_HEADER = re.compile("|".join(f"(?:^{p})" for p in _HEADER_LINES), re.IGNORECASE)
# An Outlook block: "From:" then "Sent:"/"To:"… on the next line (a reply may say "Dari: Budi").
_FROM = re.compile(r"^(From|Dari)\s*:\s", re.IGNORECASE)
_BLOCK = re.compile(r"^(Sent|Date|To|Subject|Dikirim|Tanggal|Kepada|Perihal|Subjek)\s*:", re.I)
_SIGNATURE = "-- "


def reply_text(text: str, limit: int = LIMIT) -> str:
    """The new text of a reply, without the quoted message, at most ``limit`` characters."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    quoted_below = False
    for i, line in enumerate(lines):
        if line == _SIGNATURE or _starts_quote(line, lines[i + 1 : i + 2]):
            quoted_below = line != _SIGNATURE
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    reply = _tidy(kept)
    if not reply and not quoted_below:
        unquoted = (ln for ln in lines if not ln.lstrip().startswith(">"))
        reply = _tidy([ln.rstrip() for ln in unquoted if not _HEADER.match(ln.strip())])
    if len(reply) > limit:
        reply = reply[: limit - len(CUT)].rstrip() + CUT
    return reply


def _starts_quote(line: str, following: list[str]) -> bool:
    stripped = line.strip()
    if _HEADER.match(stripped):
        return True
    if _FROM.match(stripped):
        return bool(following) and bool(_BLOCK.match(following[0].strip()))
    # A long "On … wrote:" that the mail program wrapped onto two lines.
    if following and re.match(r"^(On|Pada)\b", stripped, re.IGNORECASE):
        return bool(_HEADER.match(f"{stripped} {following[0].strip()}"))
    return False


def _tidy(lines: list[str]) -> str:
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)
