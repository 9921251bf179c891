"""The searchable text of a case and the snippets of hits, shared by every search adapter.

A case's text comes in three parts (issue 14 item 2):

- *facts*: what the case says now — subject, description, the worksheet's core problem and plan
  steps, the result (the answer's summary), corrective actions; rewritten on every save;
- *log*: the notes of its actions and its written reports, appended as they are recorded;
- *people*: the complainant's name and contacts, searched only for those who see them unmasked.

Words are stemmed with the Snowball Indonesian stemmer ("perizinan" → "izin"), the same
algorithm as PostgreSQL's built-in ``indonesian`` configuration, so SQLite (which has no
Indonesian tokenizer) indexes stems and both engines find the same cases, and the snippet marks
the same words on both.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

from aduan.workflow.case import Case
from aduan.workflow.search import fold

SNIPPET_CHARS = 220  # about two lines of a results page
_WORD = re.compile(r"[^\W_]+")
_local = threading.local()  # a Snowball stemmer keeps state: one per thread


def _stemmer() -> snowballstemmer.stemmer:
    found = getattr(_local, "stemmer", None)
    if found is None:
        found = _local.stemmer = snowballstemmer.stemmer("indonesian")
    return found


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of a folded word."""
    return str(_stemmer().stemWord(word))


def stems(text: str) -> list[str]:
    """The stems of the words of ``text``, in order."""
    return [stem(w) for w in _WORD.findall(fold(text))]


def stemmed(text: str) -> str:
    """``text`` as the stems of its words, separated by spaces (what SQLite indexes)."""
    return " ".join(stems(text))


@dataclass(frozen=True, slots=True)
class CaseText:
    """The searchable text of a case as stored: its facts, new log entries, its people."""

    facts: str
    log: str
    people: str


def _join(parts: Iterable[str | None]) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def case_text(case: Case, texts: Sequence[str]) -> CaseText:
    """The text of ``case`` to store, with ``texts`` (new notes and reports) for its log."""
    sheet = case.worksheet
    plan: list[str | None] = []
    if sheet is not None:
        plan.append(sheet.core_problem)
        for step in sheet.plan:
            plan += [step.party, step.description, step.outcome]
    c = case.complainant
    return _text(
        [
            case.subject,
            case.description,
            case.service_text,
            *plan,
            case.result_summary,
            *case.corrective_actions,
            case.referred_to,
        ],
        [c.name, c.email, c.phone, c.social, c.address],
        texts,
    )


# The columns of ``cases`` a case's text is made of (``row_text``, the migration's rebuild).
ROW_COLUMNS = (
    "id", "subject", "description", "service_text", "worksheet", "result_summary",
    "corrective_actions", "referred_to", "complainant_name", "complainant_email",
    "complainant_phone", "complainant_social", "complainant_address",
)  # fmt: skip


def row_text(row: Mapping[Any, Any], texts: Sequence[str]) -> CaseText:
    """``case_text`` from a stored row of ``ROW_COLUMNS`` (the worksheet as its JSON)."""
    sheet = row["worksheet"] or {}
    plan: list[str | None] = [sheet.get("core_problem")]
    for step in sheet.get("plan", []):
        plan += [step.get("party"), step.get("description"), step.get("outcome")]
    people = [row[f"complainant_{k}"] for k in ("name", "email", "phone", "social", "address")]
    return _text(
        [
            row["subject"],
            row["description"],
            row["service_text"],
            *plan,
            row["result_summary"],
            *(row["corrective_actions"] or []),
            row["referred_to"],
        ],
        people,
        texts,
    )


def log_text(texts: Sequence[str]) -> str:
    """The log entries ``texts`` as ``case_text`` stores them."""
    return _join(texts)


def _text(facts: list[str | None], people: list[str | None], texts: Sequence[str]) -> CaseText:
    phone = people[2] or ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    local = "0" + digits[2:] if digits.startswith("62") else None  # +62812… is typed 0812…
    # An address's parts as words too: PostgreSQL's parser keeps an email address whole.
    email = " ".join(_WORD.findall(people[1])) if people[1] else None
    found = [people[0], people[1], email, digits or None, local, people[3], people[4]]
    return CaseText(_join(facts), _join(texts), _join(found))


def snippet(query_stems: Iterable[str], *texts: str) -> str:
    """A short piece of ``texts`` around the first matched word, as HTML.

    Everything is escaped; the words whose stem is one of ``query_stems`` are in ``<mark>``.
    The first text with a match is used (the facts before the log), else the start of the first.
    """
    wanted = frozenset(query_stems)
    for text in texts:
        marks = [m.span() for m in _WORD.finditer(text) if stem(fold(m.group())) in wanted]
        if marks:
            return _window(text, marks)
    first = next((t for t in texts if t), "")
    return _window(first, [])


def _window(text: str, marks: list[tuple[int, int]]) -> str:
    start = 0
    if marks:
        start = max(0, marks[0][0] - SNIPPET_CHARS // 4)
        if start:  # from a word's start
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < marks[0][0] else marks[0][0]
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    out = ["…" if start else ""]
    at = start
    for a, b in marks:
        if a < start or b > end:
            continue
        out += [html.escape(text[at:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        at = b
    out.append(html.escape(text[at:end]))
    if end < len(text):
        out.append("…")
    return "".join(out).replace("\n", " ")
