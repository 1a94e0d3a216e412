"""A report (services/api/report_rows.py) written as a file: CSV streamed as its pages are read, or an XLSX workbook.

Every text cell is neutralised against formula injection: a spreadsheet reads a cell that starts with =, +, -, @,
a tab or a carriage return as a formula (``=HYPERLINK(...)`` can send data away, DDE can run a command), and the
views' text comes from people (a practice's legal name, a plan's name, a person's name); a leading apostrophe keeps
it text (OWASP, "CSV Injection"). Both formats carry the same text, so a CSV and an XLSX of one report agree.
Numbers, booleans and dates are written by us, never text from a user: a negative number of days stays a number.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from litestar import Response
from litestar.response import Stream
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.api.downloads import written_file
from services.api.report_rows import Cell, Line, Report

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]")


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def neutral(text: str) -> str:
    """The text as a spreadsheet shows it but never evaluates it."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def filename(report: Report, report_format: ReportFormat) -> str:
    """``<report>-<tenant>-<day>.<format>``. A tenant id is letters, digits, - and _ already (domain/base.py); the
    filter keeps the name safe in a quoted Content-Disposition whatever it becomes."""
    return f"{report.name}-{_UNSAFE_IN_FILENAME.sub('_', report.tenant)}-{report.day.isoformat()}.{report_format}"


async def download(report: Report, report_format: ReportFormat) -> Response:
    """The report as an attachment in the format asked for."""
    name = filename(report, report_format)
    if report_format is ReportFormat.CSV:
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}  # as File writes it for the XLSX
        return Stream(_csv_chunks(report), media_type=CSV_MEDIA_TYPE, headers=headers)
    # An XLSX file is a zip archive whose index comes last: it cannot be sent before it is complete. It is written
    # to a temporary file (openpyxl's write-only mode keeps only the current row in memory), sent from there, and
    # removed once sent.
    return await written_file(name, XLSX_MEDIA_TYPE, lambda path: _write_xlsx(report, path))


# --- CSV ------------------------------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()  # a Massachusetts business day, as the views give it
    if isinstance(value, str):
        return neutral(str(value))  # str(): an enum's value
    return str(value)


async def _csv_chunks(report: Report) -> AsyncIterator[bytes]:
    """The header, then a chunk per page as it is read: RFC 4180 (the csv module's quoting, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(title) for title in report.header])
    async for lines in report.pages:
        writer.writerows([_csv_text(value) for value in line] for line in lines)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


# --- XLSX -----------------------------------------------------------------------------------------------------


def _xlsx_value(value: Cell) -> Cell:
    """Text neutralised and cleared of the characters XML cannot hold (the views' text is clean already: this
    only keeps a stray one from breaking the file); numbers, booleans and dates as themselves, dates shown as
    YYYY-MM-DD."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", neutral(str(value)))
    return value


def _append(sheet: Any, lines: list[Line]) -> None:
    for line in lines:
        sheet.append([_xlsx_value(value) for value in line])


async def _write_xlsx(report: Report, path: Path) -> None:
    """One sheet: the header (bold, frozen above the rows), then the rows. openpyxl's work is in a worker thread,
    page by page, so the event loop keeps serving."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(report.name)
    sheet.freeze_panes = "A2"
    header = []
    for column, title in enumerate(report.header, start=1):
        # A write-only sheet takes its column widths before its rows: wide enough for the title.
        sheet.column_dimensions[get_column_letter(column)].width = min(max(len(title) + 4, 12), 40)
        cell = WriteOnlyCell(sheet, value=_xlsx_value(title))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    async for lines in report.pages:
        await asyncio.to_thread(_append, sheet, lines)
    await asyncio.to_thread(workbook.save, path)
