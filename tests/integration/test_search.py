"""The search contract (issue 14 item 2), the same on memory, SQLite FTS5 and PostgreSQL.

Cases are written through the service (the one save path keeps the index), then searched as
staff of different reach: the words of the subject, description, plan, notes, written reports
and answers are found, Indonesian words by their stem ("perizinan" finds "izin" — PostgreSQL's
``indonesian`` configuration stems both to ``izin``), the visibility policy decides inside the
query, complainants' names and contacts only for those who see them unmasked, tracking codes in
any spelling, and the engines' operators are never passed through.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from aduan.adapters.memory.uow import InMemoryUnitOfWorkFactory
from aduan.ports import FixedClock
from aduan.service import Deps, seed_reference_data
from aduan.service.search import search_cases
from aduan.workflow.errors import InputError
from aduan.workflow.states import Action
from tests.conftest import ENGINES, wired
from tests.integration.builders import act, engine_of, reviewed_case, submit


@pytest.fixture(params=[pytest.param("memory", id="memory"), *ENGINES])
def any_deps(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Deps]:
    """The service on every implementation, seeded, with no cases."""
    if request.param == "memory":
        memory = Deps(uow=InMemoryUnitOfWorkFactory(), clock=clock)
        seed_reference_data(memory)
        yield memory
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_migrated_url")
    with wired(url, clock, migrate=request.param == "sqlite") as deps:
        yield deps


def codes(deps: Deps, user: str, q: str) -> list[str]:
    return [h.tracking_code for h in search_cases(deps, user, q)]


def test_perizinan_finds_izin_with_the_word_marked(any_deps: Deps) -> None:
    case = submit(any_deps, subject="Izin usaha belum keluar", description="Sudah sebulan")
    submit(any_deps, subject="Jalan rusak", description="Lubang besar di depan pasar")

    hits = search_cases(any_deps, "budi", "perizinan")

    assert [h.tracking_code for h in hits] == [case.tracking_code]
    assert "<mark>Izin</mark> usaha belum keluar" in hits[0].snippet
    assert hits[0].subject == "Izin usaha belum keluar"


def test_every_word_must_match_and_case_and_diacritics_do_not_matter(any_deps: Deps) -> None:
    both = submit(any_deps, subject="Pupuk subsidi langka", description="Kios tutup")
    submit(any_deps, subject="Pupuk mahal", description="Harga naik")

    assert codes(any_deps, "budi", "PUPUK kios") == [both.tracking_code]
    assert set(codes(any_deps, "budi", "pupuk")) == {both.tracking_code} | set(
        codes(any_deps, "budi", "mahal")
    )
    assert codes(any_deps, "budi", "kiós") == [both.tracking_code]


def test_plan_notes_reports_and_answers_are_searched(any_deps: Deps) -> None:
    case = reviewed_case(any_deps)  # plan step: party "Bidang Perizinan"
    act(any_deps, case, Action.ROUTE_INTERNAL, "budi")
    act(any_deps, case, Action.ESCALATE, "budi", report="Verifikator menahan berkas peternakan")
    act(any_deps, case, Action.RESPOND, "sari", text="Kami menghubungi penyuluh lapangan")
    other = submit(any_deps, subject="Sertifikat halal", description="Belum terbit")

    assert codes(any_deps, "budi", "verifikator") == [case.tracking_code]  # written report
    assert codes(any_deps, "budi", "penyuluh") == [case.tracking_code]  # the answer sent
    assert codes(any_deps, "budi", "bidang") == [case.tracking_code]  # a plan step
    assert other.tracking_code not in codes(any_deps, "budi", "verifikator")


def test_the_log_and_the_facts_are_kept_whichever_changes(any_deps: Deps) -> None:
    """Saves that add only notes, change nothing searchable, or rewrite the facts keep it all."""
    case = reviewed_case(any_deps)  # subject "Sertifikat standar belum terbit" (builders)
    act(any_deps, case, Action.ROUTE_INTERNAL, "budi")  # nothing searchable changes
    act(any_deps, case, Action.ESCALATE, "budi", report="Verifikator menahan berkas peternakan")
    act(any_deps, case, Action.RESPOND, "sari", text="Kami menghubungi penyuluh lapangan")
    act(any_deps, case, Action.RECORD_RESULT, "sari", summary="Sertifikat diterbitkan kecamatan")

    for word in ("verifikator", "penyuluh", "kecamatan", "bidang"):
        assert codes(any_deps, "budi", word) == [case.tracking_code], word


def test_notes_on_a_case_missing_from_the_index_index_it_whole(
    engine_name: str, db_url: str, clock: FixedClock
) -> None:
    """A case the index lost gets its whole text back on its next note, not only the note."""
    with wired(db_url, clock, migrate=engine_name == "sqlite") as deps:
        case = reviewed_case(deps)
        act(deps, case, Action.ROUTE_INTERNAL, "budi")
        with engine_of(deps).begin() as conn:
            conn.execute(text("DELETE FROM case_search"))
        act(deps, case, Action.ESCALATE, "budi", report="Verifikator menahan berkas peternakan")

        assert codes(deps, "budi", "verifikator") == [case.tracking_code]
        assert codes(deps, "budi", "bidang") == [case.tracking_code]  # its plan, not only the note


def test_an_agency_officer_finds_only_their_agencys_cases(any_deps: Deps) -> None:
    routed = act(any_deps, reviewed_case(any_deps), Action.ROUTE_AGENCY, "budi")
    kept = reviewed_case(any_deps)

    assert set(codes(any_deps, "budi", "sertifikat")) == {routed.tracking_code, kept.tracking_code}
    assert codes(any_deps, "tono", "sertifikat") == [routed.tracking_code]
    assert codes(any_deps, "tono", kept.tracking_code) == []  # not even by its code
    assert codes(any_deps, "admin", "sertifikat") == []


def test_names_and_contacts_only_for_those_who_see_them_unmasked(any_deps: Deps) -> None:
    case = submit(any_deps)  # complainant Siti Aminah, siti.aminah@contoh.id, 0812-3456-7890

    assert codes(any_deps, "sari", "aminah") == [case.tracking_code]  # supervisor
    assert codes(any_deps, "sari", "081234567890") == [case.tracking_code]
    assert codes(any_deps, "sari", "siti.aminah@contoh.id") == [case.tracking_code]
    assert codes(any_deps, "sari", "contoh") == [case.tracking_code]
    assert codes(any_deps, "budi", "aminah") == []  # an officer sees the identity masked
    assert codes(any_deps, "budi", "contoh") == []
    assert "Aminah" not in "".join(h.snippet for h in search_cases(any_deps, "budi", "sertifikat"))


@pytest.mark.parametrize(
    "spelling", [lambda c: c, str.lower, lambda c: c.replace("-", ""), lambda c: c[4:].lower()]
)
def test_a_tracking_code_in_any_spelling(any_deps: Deps, spelling: object) -> None:
    case = submit(any_deps)
    submit(any_deps)
    assert callable(spelling)

    found = codes(any_deps, "budi", spelling(case.tracking_code))

    assert found[0] == case.tracking_code


@pytest.mark.parametrize(
    "q",
    [
        'izin" OR "*',
        "izin AND (usaha",
        "izin:*",
        "{people} : izin",
        "izin & !usaha | ",
        "NEAR(izin usaha)",
        "izin'; DROP TABLE cases; --",
        "-izin",
        "^izin",
    ],
)
def test_engine_operators_are_searched_as_words(any_deps: Deps, q: str) -> None:
    case = submit(any_deps, subject="Izin usaha belum keluar", description="Sudah sebulan")

    found = codes(any_deps, "budi", q)

    if any(op in q for op in ("OR", "AND", "NEAR", "DROP", "people")):
        assert found == []  # the operator's word is a word the case does not have
    else:
        assert found == [case.tracking_code]


@pytest.mark.parametrize("q", ["", "   ", '"*"', "()", "-- !", "x" * 201])
def test_a_search_without_words_is_refused_naming_the_field(any_deps: Deps, q: str) -> None:
    with pytest.raises(InputError) as refused:
        search_cases(any_deps, "budi", q)
    assert refused.value.field == "q"


def test_results_are_ranked(any_deps: Deps) -> None:
    once = submit(any_deps, subject="Pelayanan lambat", description="Antrean panjang")
    twice = submit(any_deps, subject="Antrean panjang", description="Antrean mengular, antrean")

    assert codes(any_deps, "budi", "antrean") == [twice.tracking_code, once.tracking_code]


def test_the_snippet_escapes_the_text(any_deps: Deps) -> None:
    submit(any_deps, subject="Izin <script>alert(1)</script>", description="A & B")

    (hit,) = search_cases(any_deps, "budi", "izin")

    assert "<script>" not in hit.snippet
    assert "<mark>Izin</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet


def test_the_migration_indexes_existing_cases(
    engine_name: str, db_url: str, clock: FixedClock
) -> None:
    """Cases saved before the index existed are found after the migration rebuilt it."""
    from aduan.adapters.sql.search import rebuild

    with wired(db_url, clock, migrate=engine_name == "sqlite") as deps:
        case = submit(deps, subject="Irigasi sawah kering", description="Sudah dua musim")
        with engine_of(deps).begin() as conn:
            conn.execute(text("DELETE FROM case_search"))
        assert codes(deps, "budi", "irigasi") == []
        with engine_of(deps).begin() as conn:
            assert rebuild(conn) == 1
        assert codes(deps, "budi", "irigasi") == [case.tracking_code]
