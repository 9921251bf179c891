"""Full-text search over SQL (issue 14 item 2): SQLite FTS5 or PostgreSQL ``tsvector``.

Both keep one row per case in ``case_search`` (migration 0023), written on the save path (one
statement per saved case, ``index``; no trigger) with the three parts of ``search_text``:

- SQLite: an FTS5 table (``unicode61 remove_diacritics 2``) whose row id is the case's id. SQLite
  has no Indonesian tokenizer, so it indexes the Snowball stems of the words (``facts``, ``log``,
  ``people``) and keeps the text as written beside them, unindexed, for the snippet; ranked by
  BM25 (facts weigh most).
- PostgreSQL: the text as written, and a generated ``tsvector`` with the built-in ``indonesian``
  configuration (facts weight A, log B, people D) under a GIN index; ranked by ``ts_rank``. A
  reader who may not see the complainant unmasked searches with every word restricted to
  weights A and B, so names and contacts never match for them.

The visibility policy is part of the same statement (``cases.py``'s conditions: the unit's
``EXISTS`` on ``case_units``, the viewer not concerned, sealed cases only for who may see them).
The words reach the engines as data, never as syntax: folded runs of letters and digits
(``workflow/search.py``), quoted in FTS5's query language, quoted lexemes for ``to_tsquery``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from aduan.adapters import search_text
from aduan.adapters.sql.cases import (
    _WITH_UNIT,
    SqlCaseRepository,
    _sight_conditions,
    _sight_values,
)
from aduan.adapters.sql.prepared import Prepared
from aduan.adapters.sql.runner import Runner
from aduan.adapters.sql.tables import case_events, cases, written_reports
from aduan.ports import SearchHit
from aduan.workflow.case import Case
from aduan.workflow.search import SearchTerms, logged_texts
from aduan.workflow.states import Status
from aduan.workflow.visibility import Reach, Sight

# Not in ``tables.metadata``: an FTS5 virtual table on SQLite, a table with a generated column
# on PostgreSQL; migration 0023 makes each.
fts = table(
    "case_search",
    column("rowid"),
    column("facts"),
    column("log"),
    column("people"),
    column("facts_text"),
    column("log_text"),
    column("people_text"),
)
tsv = table(
    "case_search",
    column("case_id"),
    column("facts"),
    column("log"),
    column("people"),
    column("doc"),
)
BM25_WEIGHTS = (4.0, 2.0, 1.0)  # facts, log, people
# Ranked among the newest matches in sight, at most this many: a word in half the office's
# cases is not ranked over all of them (bench/search.py). A rarer word ranks every match.
CANDIDATES = 500

_FTS_UPDATE = Prepared(
    text(
        "UPDATE case_search SET facts = :facts, facts_text = :facts_text, people = :people, "
        "people_text = :people_text WHERE rowid = :id"
    )
)
_FTS_UPDATE_LOG = Prepared(
    text(
        "UPDATE case_search SET facts = :facts, facts_text = :facts_text, people = :people, "
        "people_text = :people_text, log = log || ' ' || :log, "
        "log_text = log_text || char(10) || :log_text WHERE rowid = :id"
    )
)
_FTS_INSERT = Prepared(
    text(
        "INSERT INTO case_search (rowid, facts, log, people, facts_text, log_text, people_text) "
        "VALUES (:id, :facts, :log, :people, :facts_text, :log_text, :people_text)"
    )
)
# A save that changed none of the text's columns but recorded notes or reports: only the log
# (SQLite; see ``index``).
_FTS_APPEND_LOG = Prepared(
    text(
        "UPDATE case_search SET log = log || ' ' || :log, "
        "log_text = log_text || char(10) || :log_text WHERE rowid = :id"
    )
)
_TSV_UPSERT = text(
    "INSERT INTO case_search (case_id, facts, log, people) VALUES (:id, :facts, :log, :people) "
    "ON CONFLICT (case_id) DO UPDATE SET facts = excluded.facts, people = excluded.people, "
    "log = CASE WHEN excluded.log = '' THEN case_search.log "
    "WHEN case_search.log = '' THEN excluded.log "
    "ELSE case_search.log || chr(10) || excluded.log END"
)
_TSV_WRITE = Prepared(_TSV_UPSERT)
_INDONESIAN: ColumnElement[Any] = literal_column("'indonesian'::regconfig")


def _in_sight(sight: Sight) -> tuple[list[Any], dict[str, Any]]:
    """The visibility policy's conditions on ``cases`` for ``sight``, and their values."""
    values = _sight_values(sight)
    found: list[Any] = [_WITH_UNIT] if sight.reach is Reach.UNIT else []
    found += _sight_conditions(tuple(k for k in values if k != "unit"), sight.sealed)
    return found, values


def fts_query(terms: SearchTerms, identity: bool) -> str:
    """The FTS5 query of ``terms``: every stem quoted, all required; people only if allowed."""
    stems = dict.fromkeys(search_text.stem(w) for w in terms.words)
    phrases = " AND ".join(f'"{s}"' for s in stems)  # stems are letters and digits only
    return phrases if identity else "{facts log} : (" + phrases + ")"


def ts_query(terms: SearchTerms, identity: bool) -> str:
    """The ``to_tsquery`` text of ``terms``: quoted words, all required.

    Every word is restricted to weights A and B (not the people) unless ``identity``.
    """
    weight = "" if identity else ":AB"
    return " & ".join(f"'{w}'{weight}" for w in terms.words)  # words: letters and digits only


class SqlCaseSearch:
    """``CaseSearch`` over one connection, for the dialect of that connection.

    ``cases``: the unit of work's case repository, which knows each case it saved as it was
    before and after; a save that changed none of the columns the text is made of writes only
    the new log entries, or nothing (no stemming, no statement: most actions change only the
    status, the assignee or a deadline).
    """

    def __init__(self, conn: Connection, cases: SqlCaseRepository | None = None) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.cases = cases

    def index(self, case: Case, texts: Sequence[str], *, new: bool = False) -> None:
        assert case.id is not None
        saved = None if new or self.cases is None else self.cases.saved.get(case.id)
        if saved is not None and _same_text(*saved):
            if not texts:
                return
            # SQLite: only the log's new words are stemmed. PostgreSQL recomputes the whole
            # tsvector on any UPDATE of the row: the one upsert costs no more.
            if self.sqlite and self._append_log(case.id, search_text.log_text(texts)):
                return
        self.write(case.id, search_text.case_text(case, texts), new=new)

    def _append_log(self, case_id: int, log: str) -> bool:
        """Add ``log`` to the case's indexed log; False if the case has no row in the index."""
        values = {"id": case_id, "log": search_text.stemmed(log), "log_text": log}
        return bool(Runner.of(self.conn).execute(_FTS_APPEND_LOG, values))

    def write(self, case_id: int, found: search_text.CaseText, *, new: bool = False) -> None:
        """Store ``found`` as the text of case ``case_id`` (its log appended)."""
        if not self.sqlite:
            values = {"id": case_id, "facts": found.facts, "log": found.log, "people": found.people}
            Runner.of(self.conn).defer(_TSV_WRITE, values)  # nothing to read back: deferred
            return
        row = {
            "id": case_id,
            "facts": search_text.stemmed(found.facts),
            "facts_text": found.facts,
            "log": search_text.stemmed(found.log),
            "log_text": found.log,
            "people": search_text.stemmed(found.people),
            "people_text": found.people,
        }
        runner = Runner.of(self.conn)
        if new:
            runner.execute(_FTS_INSERT, row)
        elif runner.execute(_FTS_UPDATE_LOG if found.log else _FTS_UPDATE, row) == 0:
            runner.execute(_FTS_INSERT, row)  # a case the index has not seen

    def search(
        self, terms: SearchTerms, sight: Sight, limit: int = 20, *, identity: bool = False
    ) -> list[SearchHit]:
        if sight.reach is Reach.NONE:
            return []
        conditions, values = _in_sight(sight)
        stems = [search_text.stem(w) for w in terms.words]
        hits: list[SearchHit] = []
        if terms.code is not None:
            stmt = select(cases.c.id, cases.c.tracking_code, cases.c.subject, cases.c.status)
            stmt = stmt.where(cases.c.tracking_code == bindparam("code"), *conditions)
            for r in self.conn.execute(stmt, {**values, "code": terms.code}).mappings():
                snippet = search_text.snippet(stems, r["subject"])
                hits.append(
                    SearchHit(
                        r["id"], r["tracking_code"], r["subject"], Status(r["status"]), 1e9, snippet
                    )
                )
        values["limit"] = limit
        if self.sqlite:
            stmt = self._fts(conditions)
            values["q"] = fts_query(terms, identity)
        else:
            stmt = self._tsv(conditions)
            values["q"] = ts_query(terms, identity)
        seen = {h.case_id for h in hits}
        for r in self.conn.execute(stmt, values).mappings():
            if r["id"] in seen:
                continue
            shown = [r["facts_text"], r["log_text"]] + ([r["people_text"]] if identity else [])
            hits.append(
                SearchHit(
                    r["id"],
                    r["tracking_code"],
                    r["subject"],
                    Status(r["status"]),
                    float(r["rank"]),
                    search_text.snippet(stems, *shown),
                )
            )
        return hits[:limit]

    def _fts(self, conditions: list[Any]) -> Select[Any]:
        # The candidates: the newest CANDIDATES matches in sight, walked from FTS5's doclists
        # in descending row id (no ranking of every match of a common word); then ranked.
        bm25 = func.bm25(literal_column("case_search"), *BM25_WEIGHTS)
        found = (
            select(fts.c.rowid.label("id"), (-bm25).label("rank"))
            .select_from(fts.join(cases, cases.c.id == fts.c.rowid))
            .where(text("case_search MATCH :q"), *conditions)
            .order_by(fts.c.rowid.desc())
            .limit(CANDIDATES)
            .subquery("found")
        )
        shown = fts.alias("shown")
        return (
            select(
                found.c.id,
                found.c.rank,
                shown.c.facts_text,
                shown.c.log_text,
                shown.c.people_text,
                cases.c.tracking_code,
                cases.c.subject,
                cases.c.status,
            )
            .select_from(
                found.join(shown, shown.c.rowid == found.c.id).join(cases, cases.c.id == found.c.id)
            )
            .order_by(found.c.rank.desc(), found.c.id.desc())
            .limit(bindparam("limit"))
        )

    def _tsv(self, conditions: list[Any]) -> Select[Any]:
        # As on SQLite: the newest CANDIDATES matches in sight, then ranked; a common word is
        # then read from the newest cases backwards (primary key), not from its whole posting
        # list (every match rechecked and ranked).
        query = func.to_tsquery(_INDONESIAN, bindparam("q"))
        found = (
            select(tsv.c.case_id.label("id"), func.ts_rank(tsv.c.doc, query).label("rank"))
            .select_from(tsv.join(cases, cases.c.id == tsv.c.case_id))
            .where(tsv.c.doc.op("@@")(query), *conditions)
            .order_by(tsv.c.case_id.desc())
            .limit(CANDIDATES)
            .subquery("found")
        )
        shown = tsv.alias("shown")
        return (
            select(
                found.c.id,
                found.c.rank,
                shown.c.facts.label("facts_text"),
                shown.c.log.label("log_text"),
                shown.c.people.label("people_text"),
                cases.c.tracking_code,
                cases.c.subject,
                cases.c.status,
            )
            .select_from(
                found.join(shown, shown.c.case_id == found.c.id).join(
                    cases, cases.c.id == found.c.id
                )
            )
            .order_by(found.c.rank.desc(), found.c.id.desc())
            .limit(bindparam("limit"))
        )


_TEXT_COLUMNS = tuple(name for name in search_text.ROW_COLUMNS if name != "id")


def _same_text(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    """Whether a save left every column of the case's searchable text as it was."""
    return before is not None and all(before[name] == after[name] for name in _TEXT_COLUMNS)


def rebuild(conn: Connection, batch: int = 1000) -> int:
    """Index every case from its stored row, notes and reports; return how many (migration)."""
    search = SqlCaseSearch(conn)
    done, last = 0, 0
    while True:
        # Only the columns the text is made of: the schema of the migration's time, not
        # everything tables.py declares later.
        shown = select(*(cases.c[name] for name in search_text.ROW_COLUMNS))
        rows = list(
            conn.execute(
                shown.where(cases.c.id > last).order_by(cases.c.id).limit(batch)
            ).mappings()
        )
        if not rows:
            return done
        ids = [r["id"] for r in rows]
        texts: dict[int, list[str]] = {i: [] for i in ids}
        notes = select(case_events.c.case_id, case_events.c.note, case_events.c.data).where(
            case_events.c.case_id.in_(ids)
        )
        for case_id, note, data in conn.execute(notes.order_by(case_events.c.id)):
            texts[case_id] += logged_texts(note, data or {})
        reports = select(written_reports.c.case_id, written_reports.c.text).where(
            written_reports.c.case_id.in_(ids)
        )
        for case_id, body in conn.execute(reports.order_by(written_reports.c.id)):
            texts[case_id].append(body)
        for row in rows:
            search.write(row["id"], search_text.row_text(row, texts[row["id"]]), new=True)
        done += len(rows)
        last = ids[-1]
