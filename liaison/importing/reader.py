"""Read the tables people really keep: .xlsx/.xls (python-calamine) and CSV (UTF-8, BOM, GBK).

A government roster rarely starts at A1. Above the header sit a title, a date and notes;
below the data a signature line (填表人 / 审核人). Area columns are merged over the rows
of one village. Headers and values carry full-width characters and stray spaces. This
module finds the header row, stops at the signature line, skips blank rows, fills the
cells hidden under a vertical merge and NFKC-normalises text, and reports every row with
its number as Excel shows it. Cell values keep their type (numbers, dates); parsing a
value for a field is the caller's business (``liaison.importing.cells``).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

# How far down to look for the header row (titles and notes sit above it).
HEADER_SEARCH_ROWS = 30
# A row whose first non-blank cell starts like this ends the table (the signature line).
SIGNATURE_MARKERS = (
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "审核",
    "负责人",
    "主要负责人",
    "单位负责人",
    "分管领导",
    "填表日期",
    "制表日期",
    "填报日期",
    "单位(盖章)",
    "单位盖章",
    "preparedby",
    "checkedby",
    "signature",
)
EXCEL_SUFFIXES = (".xlsx", ".xls", ".xlsb", ".ods")
_SPACES = re.compile(r"\s+")


logger = logging.getLogger(__name__)


class ReadError(Exception):
    """The file cannot be read as a table; ``code`` names why, ``message`` says it."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Column:
    index: int
    header: str  # as written in the file (normalised spaces), for error messages
    key: str | None  # the canonical field, or None for a column we ignore


@dataclass
class Table:
    sheet: str
    header_row: int  # Excel row number of the header
    columns: list[Column]
    rows: list[tuple[int, list]]  # (Excel row number, cell values aligned with ``columns``)
    notices: list[str] = field(default_factory=list)

    def column_for(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns if c.key}


def clean_text(value) -> str:
    """NFKC (full-width → half-width), trimmed, inner runs of whitespace made one space."""
    if value is None:
        return ""
    if type(value) is not str:
        return value
    # Fast path first: most cells are already clean (this runs for every cell of 100k rows).
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    if value.isprintable() and "  " not in value and value.strip() == value:
        return value
    return _SPACES.sub(" ", value).strip()


def header_key(text) -> str:
    """The comparable form of a header: NFKC, no spaces, no required-marks, lower case."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*:：]", "", text).lower()


class HeaderMatcher:
    """Maps header texts to canonical keys through a table of aliases."""

    def __init__(self, aliases: dict[str, tuple[str, ...]]):
        self._keys: dict[str, str] = {}
        for key, names in aliases.items():
            for name in names:
                self._keys[header_key(name)] = key

    def match(self, text) -> str | None:
        normal = header_key(text)
        if not normal:
            return None
        if normal in self._keys:
            return self._keys[normal]
        # "县（区）" written as "县(市、区)" or "县": try without the bracketed part.
        bare = re.sub(r"\(.*?\)", "", normal)
        return self._keys.get(bare)


def _is_blank(value) -> bool:
    return value is None or value == "" or (type(value) is str and not value.strip())


_MARKER_KEYS = tuple(header_key(m) for m in SIGNATURE_MARKERS)
_MARKER_FIRST = {m[0] for m in _MARKER_KEYS}


def _is_signature(values) -> bool:
    first = next((v for v in values if not _is_blank(v)), None)
    if not isinstance(first, str) or first.lstrip()[:1].lower() not in _MARKER_FIRST:
        return False
    return header_key(first).startswith(_MARKER_KEYS)


def _find_header(grid, matcher: HeaderMatcher, min_matches: int):
    best = None
    for i, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        keys = [matcher.match(v) if isinstance(v, str) else None for v in values]
        hits = len({k for k in keys if k})
        if hits >= min_matches and (best is None or hits > best[1]):
            best = (i, hits)
            break  # the first row matching enough known headers
    return best[0] if best else None


def _fill_merged(grid, merged) -> None:
    """Give each cell under a vertical merge the value of the merge's top cell."""
    for (r0, c0), (r1, _c1) in merged or ():
        if r1 <= r0 or r0 >= len(grid):
            continue
        top = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0 + 1, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            if c0 < len(row) and _is_blank(row[c0]):
                row[c0] = top


def _table_from_grid(
    sheet: str, grid, matcher: HeaderMatcher, min_matches: int, clean_values: bool = True
) -> Table | None:
    header_at = _find_header(grid, matcher, min_matches)
    if header_at is None:
        return None
    columns, seen, notices = [], set(), []
    for index, text in enumerate(grid[header_at]):
        header = clean_text(str(text)) if not _is_blank(text) else ""
        key = matcher.match(header) if header else None
        if key in seen:
            notices.append(
                _("Column “%(header)s” repeats an earlier column and is ignored.")
                % {"header": header}
            )
            key = None
        if key:
            seen.add(key)
        elif header:
            notices.append(
                _("Column “%(header)s” is not part of the roster and is ignored.")
                % {"header": header}
            )
        columns.append(Column(index, header, key))
    width = len(columns)
    rows = []
    for i in range(header_at + 1, len(grid)):
        if clean_values:
            values = [clean_text(v) for v in grid[i][:width]]
        else:  # the caller cleans each value it parses (once per distinct value)
            values = grid[i][:width]
            if None in values:
                values = ["" if v is None else v for v in values]
        filled = [v for v in values if v is not None and v != ""]
        if not filled or all(type(v) is str and not v.strip() for v in filled):
            continue  # a blank row (cheap test first: this runs for every row)
        first = filled[0]
        if (
            type(first) is str
            and first.lstrip()[:1].lower() in _MARKER_FIRST
            and _is_signature(filled)
        ):
            notices.append(_("Reading stopped at row %(row)d (signature line).") % {"row": i + 1})
            break
        values += [""] * (width - len(values))
        rows.append((i + 1, values))
    return Table(sheet, header_at + 1, columns, rows, notices)


def _excel_grids(data: bytes, sheet: str | None):
    """(sheet name, grid, merged ranges) for each sheet to consider, calamine first."""
    try:
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        if sheet is not None:
            names = [n for n in names if clean_text(n) == clean_text(sheet)]
        for name in names:
            ws = book.get_sheet_by_name(name)
            grid = ws.to_python(skip_empty_area=False)  # fresh lists, ours to fill in
            yield name, grid, ws.merged_cell_ranges
        return
    except ImportError:  # pragma: no cover - calamine is a requirement; keep the fallback honest
        pass
    except Exception as exc:  # calamine refuses a file openpyxl may still read
        if not data.startswith(b"PK"):
            raise ReadError("unreadable", _("The file cannot be read as a spreadsheet.")) from exc
    yield from _openpyxl_grids(data, sheet)


def _openpyxl_grids(data: bytes, sheet: str | None):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise ReadError("unreadable", _("The file cannot be read as a spreadsheet.")) from exc
    for ws in book.worksheets:
        if sheet is not None and clean_text(ws.title) != clean_text(sheet):
            continue
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        merged = [
            ((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
            for m in ws.merged_cells.ranges
        ]
        yield ws.title, grid, merged


def decode_csv(data: bytes) -> str:
    """The text of a CSV file, its encoding found from the bytes.

    UTF-8 (with or without a BOM) or GB18030 (a superset of GBK), as Excel in China saves.
    A BOM is a hint, not proof: a GBK file with a UTF-8 BOM glued on (some tools do that)
    decodes as GB18030 after the BOM. Never raises ``UnicodeDecodeError`` (whose text would
    carry the file's bytes into a log): an undecodable file is a :class:`ReadError`.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    for encoding in ("utf-8", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(
        "bad_encoding", _("The CSV file is neither UTF-8 nor GBK; save it again as UTF-8.")
    ) from None


def _csv_grid(data: bytes):
    text = decode_csv(data)
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        pass
    grid, numbers = [], []
    reader = csv.reader(io.StringIO(text), dialect)
    line = 1
    for values in reader:
        grid.append(values)
        numbers.append(line)
        line = reader.line_num + 1
    return grid, numbers


def read_table(
    source,
    *,
    file_name: str,
    aliases: dict[str, tuple[str, ...]],
    sheet: str | None = None,
    min_matches: int = 3,
    clean_values: bool = True,
) -> Table:
    """The first sheet whose header row matches ``min_matches`` known headers (or ``sheet``).

    ``source`` is bytes, a path or a binary file. Raises :class:`ReadError`. With
    ``clean_values=False`` cell values come as read (text not yet NFKC-normalised).
    """
    data = _as_bytes(source)
    try:
        return _read_table(data, file_name, aliases, sheet, min_matches, clean_values)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError(
            "too_big", _("The file is too large to read; split it into smaller files.")
        ) from None
    except Exception as exc:  # noqa: BLE001 - a damaged file: say so, never "internal error"
        # ``from None``: the parser's own exception may quote the file's bytes.
        logger.warning("unreadable %s file (%s)", Path(file_name).suffix, type(exc).__name__)
        raise ReadError(
            "unreadable",
            _(
                "The file cannot be read: it may be damaged, or not really a %(kind)s file. "
                "Open it in Excel or WPS and save it again as .xlsx."
            )
            % {"kind": Path(file_name).suffix.lstrip(".").upper() or "Excel"},
        ) from None


def _read_table(data, file_name, aliases, sheet, min_matches, clean_values) -> Table:
    matcher = HeaderMatcher(aliases)
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        grid, numbers = _csv_grid(data)
        table = _table_from_grid("CSV", grid, matcher, min_matches, clean_values)
        if table is not None:
            # A quoted value may span lines: report the line each record starts on.
            table.header_row = numbers[table.header_row - 1]
            table.rows = [(numbers[n - 1], values) for n, values in table.rows]
    elif suffix in EXCEL_SUFFIXES:
        table, names = None, []
        for name, grid, merged in _excel_grids(data, sheet):
            names.append(name)
            _fill_merged(grid, merged)
            table = _table_from_grid(name, grid, matcher, min_matches, clean_values)
            if table is not None:
                break
        if sheet is not None and not names:
            raise ReadError(
                "no_sheet", _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet}
            )
    else:
        raise ReadError("bad_type", _("Only .xlsx, .xls and .csv files can be imported."))
    if table is None:
        raise ReadError(
            "no_header",
            _(
                "No header row found: the first rows of the sheet must hold column names such as "
                "%(examples)s."
            )
            % {"examples": "、".join(next(iter(v)) for v in list(aliases.values())[:6])},
        )
    return table


def _as_bytes(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()
