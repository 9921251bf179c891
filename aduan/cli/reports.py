"""The ``aduan report`` commands: statistics, documents, recaps, the survey, evaluation, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aduan.cli import common
from aduan.reports import period as periods
from aduan.reports.period import choose_period

Out = Annotated[Path, typer.Option("--out", help="Berkas keluaran / output file.")]

report_app = common.group("Laporan, survei dan evaluasi / reports, survey and evaluation.")
common.GROUPS["report"] = report_app

From = Annotated[str | None, typer.Option("--from", help="Tanggal awal (YYYY-MM-DD), WIB.")]
To = Annotated[str | None, typer.Option("--to", help="Tanggal akhir (YYYY-MM-DD), termasuk.")]
Month = Annotated[str | None, typer.Option("--month", help="Bulan YYYY-MM.")]
Quarter = Annotated[str | None, typer.Option("--quarter", help="Triwulan, mis. 2026Q1.")]
Year = Annotated[int | None, typer.Option("--year", help="Tahun.")]


@report_app.command("stats")
def stats_cmd(
    as_user: common.AsUser,
    first: From = None,
    last: To = None,
    month: Month = None,
    quarter: Quarter = None,
    year: Year = None,
    as_json: common.JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Keluaran CSV / CSV output.")] = False,
) -> None:
    """Statistik periode / statistics of a period (cases received in it)."""
    from aduan.reports.statistics import statistics_csv
    from aduan.reports.text import statistics_text
    from aduan.service.reports import compute_statistics

    with common.errors():
        chosen = choose_period(first, last, month, quarter, year)
        result = compute_statistics(common.deps(), chosen, as_user)
        if as_json:
            typer.echo(result.model_dump_json(indent=2))
        elif as_csv:
            typer.echo(statistics_csv(result), nl=False)
        else:
            typer.echo(statistics_text(result))


@report_app.command("recap")
def recap_cmd(
    out: Out,
    as_user: common.AsUser,
    month: Month = None,
    quarter: Quarter = None,
) -> None:
    """Rekap bulanan/triwulanan (PDF) untuk Kepala Dinas / monthly or quarterly recap."""
    from aduan.reports.recap import recap_html, recap_pdf
    from aduan.service.reports import build_recap

    with common.errors():
        chosen = choose_period(None, None, month, quarter, None)
        recap = build_recap(common.deps(), chosen, as_user)
        if out.suffix.lower() == ".html":
            out.write_text(recap_html(recap, common.settings().office), encoding="utf-8")
        else:
            out.write_bytes(recap_pdf(recap, common.settings().office))
    typer.echo(f"rekap ditulis/written: {out}")


@report_app.command("written")
def written_cmd(
    case: Annotated[str, typer.Argument(help="Kode pelacakan atau id / tracking code or id.")],
    out: Out,
    as_user: common.AsUser,
    number: Annotated[int, typer.Option("--number", help="Laporan ke-n (1 = pertama).")] = 1,
) -> None:
    """Laporan tertulis sebagai HTML atau PDF / a written tier report as HTML or PDF."""
    from aduan.reports.html import render
    from aduan.reports.pdf import written_report_pdf
    from aduan.service.reports import written_report

    with common.errors():
        doc = written_report(common.deps(), case, as_user, number, common.settings().office)
        if out.suffix.lower() == ".html":
            out.write_text(render("written_report.html", doc=doc), encoding="utf-8")
        else:
            out.write_bytes(written_report_pdf(doc))
    typer.echo(f"laporan ditulis/written: {out}")


survey_app = common.group("Survei kepuasan masyarakat (SKM) / satisfaction survey.")
report_app.add_typer(survey_app, name="survey")


@survey_app.command("dispatch")
def survey_dispatch(quarter: Annotated[str, typer.Option("--quarter")]) -> None:
    """Undang pelapor yang kasusnya selesai / invite the quarter's complainants."""
    from aduan.service.survey import dispatch_survey

    with common.errors():
        done = dispatch_survey(
            common.deps(), periods.quarter(quarter), common.settings().public_url
        )
    typer.echo(json.dumps(done.as_dict()))


@survey_app.command("result")
def survey_result(
    quarter: Annotated[str, typer.Option("--quarter")], as_json: common.JsonOpt = False
) -> None:
    """Indeks Kepuasan Masyarakat (IKM) triwulan / the quarter's satisfaction index."""
    from aduan.reports.text import ikm_text
    from aduan.service.survey import survey_results

    with common.errors():
        result = survey_results(common.deps(), periods.quarter(quarter))
    typer.echo(ikm_text(result, as_json))


@report_app.command("export")
def export_cmd(
    out: Out,
    as_user: common.AsUser,
    first: From = None,
    last: To = None,
    month: Month = None,
    quarter: Quarter = None,
    year: Year = None,
) -> None:
    """Ekspor kasus (CSV atau XLSX menurut akhiran) / export cases (by the file's suffix)."""
    import io

    from aduan.service.reports import export_cases

    with common.errors():
        chosen = choose_period(first, last, month, quarter, year)
        fmt = out.suffix.lower().lstrip(".")
        buffer = io.BytesIO()  # nothing written to ``out`` unless the export succeeds
        rows = export_cases(common.deps(), chosen, as_user, fmt, buffer)
        out.write_bytes(buffer.getvalue())
    typer.echo(f"{rows} kasus diekspor/cases exported: {out}")


@report_app.command("evaluation")
def evaluation_cmd(
    year: Annotated[int, typer.Option("--year")],
    out: Out,
    as_user: common.AsUser,
    announce: Annotated[bool, typer.Option("--announce", help="Umumkan ke semua pegawai.")] = False,
) -> None:
    """Evaluasi tahunan standar pelayanan (PDF atau CSV) / yearly evaluation."""
    from aduan.reports.evaluation import evaluation_csv, evaluation_pdf
    from aduan.service.evaluation import announce_evaluation, build_evaluation

    with common.errors():
        result = build_evaluation(common.deps(), periods.year(year), as_user)
        if out.suffix.lower() == ".csv":
            out.write_text(evaluation_csv(result), encoding="utf-8")
        else:
            out.write_bytes(evaluation_pdf(result, common.settings().office))
        if announce:
            announce_evaluation(common.deps(), result.period)
    typer.echo(f"evaluasi ditulis/written: {out}")
