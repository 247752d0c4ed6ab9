"""Reading the lists people keep (member directories, groups) from Excel or CSV files, with pandas."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sigworkbook.errors import SigworkbookError

if TYPE_CHECKING:  # pandas loads only when a file is read, never with a page
    import pandas as pd

MAX_BYTES = 5_000_000
"""Largest file read, as uploaded."""
MAX_UNPACKED_BYTES = 100_000_000
"""Largest an Excel workbook may grow when unpacked (an .xlsx file is a zip of XML)."""
MAX_ROWS = 20_000
EXCEL_ROW_CAP = 2 * MAX_ROWS
"""Rows read from a sheet at most (blank rows count), so a huge sheet is not read whole."""

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
SEPARATORS = (",", ";", "\t")


class RecordsError(SigworkbookError, ValueError):
    """A list that cannot be used; the message names the row or column and the problem."""


def column_key(name: str) -> str:
    """A column name as compared: case, spaces, underscores and hyphens do not count."""
    return re.sub(r"[\s_\-]+", "", name.casefold())


def spoken(column: str) -> str:
    """A column name as a person says it ('key_phrases' -> 'key phrases')."""
    return column.replace("_", " ")


# --- bytes to a table of text --------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise RecordsError(
        "the file is not text a spreadsheet writes (UTF-8 or Windows-1252): "
        "save it from your spreadsheet as Excel (.xlsx) or 'CSV UTF-8'"
    )


def _unquoted(line: str) -> str:
    """The line without the parts between double quotes."""
    return re.sub(r'"[^"]*"?', "", line)


def separator_of(text: str) -> str:
    """The separator of a CSV text, from its first non-blank line: comma, semicolon or tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = _unquoted(first)
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_table(text: str) -> list[list[str]]:
    import pandas as pd  # loaded on the first file read, not with the page

    sep = separator_of(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise RecordsError("the file is empty") from None
    except pd.errors.ParserError as error:
        raise _parser_problem(str(error), sep) from None
    return _rows(frame)


def _parser_problem(message: str, sep: str) -> RecordsError:
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        wanted, row, saw = fields.groups()
        name = {",": "a comma", ";": "a semicolon", "\t": "a tab"}[sep]
        return RecordsError(
            f"row {row} has {saw} values but the first row names only {wanted} columns "
            f"({name} inside a value needs quotes around it)"
        )
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        return RecordsError(
            f"row {int(quote.group(1)) + 1}: not valid CSV (a quote mark is opened and never closed)"
        )
    return RecordsError(
        "not valid CSV: " + message.removeprefix("Error tokenizing data. C error: ")
    )


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise RecordsError("the file is not a readable Excel workbook (.xlsx)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise RecordsError(
            f"the workbook unpacks to {unpacked // 1_000_000} MB; "
            f"at most {MAX_UNPACKED_BYTES // 1_000_000} MB"
        )


def _excel_table(data: bytes) -> list[list[str]]:
    _check_zip(data)
    import pandas as pd  # loaded on the first file read, not with the page

    try:
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=str,
            engine="openpyxl",
            nrows=EXCEL_ROW_CAP,
        )
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise RecordsError(
            f"the file is not a readable Excel workbook (.xlsx): {type(error).__name__}"
        ) from None
    if len(frame) >= EXCEL_ROW_CAP:
        raise RecordsError(f"the file has more than {MAX_ROWS} rows")
    return _rows(frame)


def _rows(frame: pd.DataFrame) -> list[list[str]]:
    frame = frame.fillna("")
    return [[str(cell).strip() for cell in row] for row in frame.itertuples(index=False)]


def table(data: bytes | str) -> list[list[str]]:
    """The cells of the first sheet of an .xlsx file, or of a CSV file, row by row, as text."""
    if isinstance(data, str):
        return _csv_table(data.removeprefix("\ufeff"))
    if len(data) > MAX_BYTES:
        raise RecordsError(
            f"the file is {len(data) // 1_000_000} MB; at most {MAX_BYTES // 1_000_000} MB"
        )
    if data.startswith(XLSX_MAGIC):
        return _excel_table(data)
    if data.startswith(OLD_EXCEL_MAGIC):
        raise RecordsError(
            "this is an old Excel file (.xls): save it as an Excel workbook (.xlsx) or as CSV"
        )
    return _csv_table(decode(data))


# --- a table to records ---------------------------------------------------------------------


def _column_positions(header: list[str], required: Sequence[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = column_key(name)
        if key and key not in positions:
            positions[key] = index
    missing = [column for column in required if column_key(column) not in positions]
    if missing:
        found = ", ".join(f"'{h}'" for h in header if h) or "no names"
        plural = "columns" if len(missing) > 1 else "column"
        wanted = ", ".join(f"'{spoken(column)}'" for column in missing)
        raise RecordsError(f"missing {plural} {wanted}: the first row has {found}")
    return positions


def read_records(
    data: bytes | str,
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    non_empty: Sequence[str] = (),
    max_rows: int = MAX_ROWS,
) -> list[dict[str, str]]:
    """The rows of an .xlsx or CSV file with a header row, as dicts keyed by column name.

    Column names are matched ignoring case, spaces, underscores and hyphens; the dicts use the
    names as given in `required` and `optional` (other columns keep their own names); an
    optional column that is missing is left out of the dicts. Blank rows are skipped. Raises
    RecordsError naming the row (the header is row 1) or column at fault.
    """
    rows = table(data)
    start = next((i for i, row in enumerate(rows) if any(row)), None)
    if start is None:
        raise RecordsError("the file is empty")
    header = rows[start]
    positions = _column_positions(header, required)
    names = {index: name for index, name in enumerate(header)}
    for column in [*required, *optional]:
        if column_key(column) in positions:
            names[positions[column_key(column)]] = column
    records: list[dict[str, str]] = []
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(row):
            continue
        record = {names[i]: row[i] for i in range(len(header)) if names[i]}
        for column in non_empty:
            if not record.get(column):
                raise RecordsError(f"row {number}: the '{spoken(column)}' column is empty")
        records.append(record)
        if len(records) > max_rows:
            raise RecordsError(f"the file has more than {max_rows} rows")
    if not records:
        raise RecordsError("the file has a header row but no rows of data")
    return records
