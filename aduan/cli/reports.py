"""The ``aduan report`` commands: statistics, documents, recaps, the survey, evaluation, export.

``aduan.cli`` registers this group with one line, handing over how to build the dependencies
and how to turn errors into one-line messages and exit codes (this layer sits below it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer

from aduan.config import load_settings
from aduan.reports import period as periods
from aduan.reports.period import choose_period
from aduan.service import Deps

DepsFactory = Callable[[], Deps]
Errors = Callable[[], AbstractContextManager[None]]
JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON / JSON output.")]
AsUser = Annotated[
    str, typer.Option("--as", envvar="ADUAN_USER", help="Nama pengguna petugas / staff username.")
]
Out = Annotated[Path, typer.Option("--out", help="Berkas keluaran / output file.")]


def make_app(deps: DepsFactory, errors: Errors) -> typer.Typer:
    """The ``report`` group, bound to the entry point's dependencies and error handling."""
    app = typer.Typer(
        help="Laporan, survei dan evaluasi / reports, survey and evaluation.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    _add_statistics(app, deps, errors)
    _add_documents(app, deps, errors)
    _add_survey(app, deps, errors)
    _add_exports(app, deps, errors)
    return app


From = Annotated[str | None, typer.Option("--from", help="Tanggal awal (YYYY-MM-DD), WIB.")]
To = Annotated[str | None, typer.Option("--to", help="Tanggal akhir (YYYY-MM-DD), termasuk.")]
Month = Annotated[str | None, typer.Option("--month", help="Bulan YYYY-MM.")]
Quarter = Annotated[str | None, typer.Option("--quarter", help="Triwulan, mis. 2026Q1.")]
Year = Annotated[int | None, typer.Option("--year", help="Tahun.")]


def _add_statistics(app: typer.Typer, deps: DepsFactory, errors: Errors) -> None:
    @app.command("stats")
    def stats_cmd(
        first: From = None,
        last: To = None,
        month: Month = None,
        quarter: Quarter = None,
        year: Year = None,
        as_json: JsonOpt = False,
        as_csv: Annotated[bool, typer.Option("--csv", help="Keluaran CSV / CSV output.")] = False,
    ) -> None:
        """Statistik periode / statistics of a period (cases received in it)."""
        from aduan.reports.statistics import statistics_csv
        from aduan.reports.text import statistics_text
        from aduan.service.reports import compute_statistics

        with errors():
            result = compute_statistics(deps(), choose_period(first, last, month, quarter, year))
            if as_json:
                typer.echo(result.model_dump_json(indent=2))
            elif as_csv:
                typer.echo(statistics_csv(result), nl=False)
            else:
                typer.echo(statistics_text(result))


def _add_documents(app: typer.Typer, deps: DepsFactory, errors: Errors) -> None:
    @app.command("recap")
    def recap_cmd(
        out: Out,
        month: Month = None,
        quarter: Quarter = None,
    ) -> None:
        """Rekap bulanan/triwulanan (PDF) untuk Kepala Dinas / monthly or quarterly recap."""
        from aduan.reports.recap import recap_html, recap_pdf
        from aduan.service.reports import build_recap

        with errors():
            chosen = choose_period(None, None, month, quarter, None)
            recap = build_recap(deps(), chosen)
            if out.suffix.lower() == ".html":
                out.write_text(recap_html(recap, load_settings().office), encoding="utf-8")
            else:
                out.write_bytes(recap_pdf(recap, load_settings().office))
        typer.echo(f"rekap ditulis/written: {out}")

    @app.command("written")
    def written_cmd(
        case: Annotated[str, typer.Argument(help="Kode pelacakan atau id / tracking code or id.")],
        out: Out,
        as_user: AsUser,
        number: Annotated[int, typer.Option("--number", help="Laporan ke-n (1 = pertama).")] = 1,
    ) -> None:
        """Laporan tertulis sebagai HTML atau PDF / a written tier report as HTML or PDF."""
        from aduan.reports.html import render
        from aduan.reports.pdf import written_report_pdf
        from aduan.service.reports import written_report

        with errors():
            doc = written_report(deps(), case, as_user, number, load_settings().office)
            if out.suffix.lower() == ".html":
                out.write_text(render("written_report.html", doc=doc), encoding="utf-8")
            else:
                out.write_bytes(written_report_pdf(doc))
        typer.echo(f"laporan ditulis/written: {out}")


def _add_survey(app: typer.Typer, deps: DepsFactory, errors: Errors) -> None:
    survey_app = typer.Typer(
        help="Survei kepuasan (SKM) / satisfaction survey.", no_args_is_help=True
    )
    app.add_typer(survey_app, name="survey")

    @survey_app.command("dispatch")
    def survey_dispatch(quarter: Annotated[str, typer.Option("--quarter")]) -> None:
        """Undang pelapor yang kasusnya selesai / invite the quarter's complainants."""
        from aduan.service.survey import dispatch_survey

        with errors():
            done = dispatch_survey(deps(), periods.quarter(quarter), load_settings().public_url)
        typer.echo(json.dumps(done.as_dict()))

    @survey_app.command("result")
    def survey_result(
        quarter: Annotated[str, typer.Option("--quarter")], as_json: JsonOpt = False
    ) -> None:
        """Indeks Kepuasan Masyarakat (IKM) triwulan / the quarter's satisfaction index."""
        from aduan.reports.text import ikm_text
        from aduan.service.survey import survey_results

        with errors():
            result = survey_results(deps(), periods.quarter(quarter))
        typer.echo(ikm_text(result, as_json))


def _add_exports(app: typer.Typer, deps: DepsFactory, errors: Errors) -> None:
    @app.command("export")
    def export_cmd(
        out: Out,
        as_user: AsUser,
        first: From = None,
        last: To = None,
        month: Month = None,
        quarter: Quarter = None,
        year: Year = None,
    ) -> None:
        """Ekspor kasus (CSV atau XLSX menurut akhiran) / export cases (by the file's suffix)."""
        import io

        from aduan.service.reports import export_cases

        with errors():
            chosen = choose_period(first, last, month, quarter, year)
            fmt = out.suffix.lower().lstrip(".")
            buffer = io.BytesIO()  # nothing written to ``out`` unless the export succeeds
            rows = export_cases(deps(), chosen, as_user, fmt, buffer)
            out.write_bytes(buffer.getvalue())
        typer.echo(f"{rows} kasus diekspor/cases exported: {out}")

    @app.command("evaluation")
    def evaluation_cmd(
        year: Annotated[int, typer.Option("--year")],
        out: Out,
        announce: Annotated[
            bool, typer.Option("--announce", help="Umumkan ke semua pegawai.")
        ] = False,
    ) -> None:
        """Evaluasi tahunan standar pelayanan (PDF atau CSV) / yearly evaluation."""
        from aduan.reports.evaluation import evaluation_csv, evaluation_pdf
        from aduan.service.evaluation import announce_evaluation, build_evaluation

        with errors():
            result = build_evaluation(deps(), periods.year(year))
            if out.suffix.lower() == ".csv":
                out.write_text(evaluation_csv(result), encoding="utf-8")
            else:
                out.write_bytes(evaluation_pdf(result, load_settings().office))
            if announce:
                announce_evaluation(deps(), result.period)
        typer.echo(f"evaluasi ditulis/written: {out}")
