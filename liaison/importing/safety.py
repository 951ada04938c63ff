"""Refuse dangerous files before any parser sees them.

An .xlsx is a zip of XML parts. Before calamine or openpyxl opens one we read only the
zip directory (entries, unpacked size, compression ratio) so a zip bomb costs nothing;
macro workbooks (``vbaProject.bin``, .xlsm) are refused; XML with a DTD or entities is
refused (billion laughs) — and openpyxl itself must run with defusedxml, asserted by
:func:`assert_defused` at startup. Formula cells are refused too: their cached value
may be missing or forged, and a roster holds typed data only.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MAX_ENTRIES = 100
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 100
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".csv")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL_REF = re.compile(
    rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]+\d+)"[^>]*>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f[\s>/]',
    re.DOTALL,
)


class UnsafeFile(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def max_upload_bytes() -> int:
    return getattr(settings, "LIAISON_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def assert_defused() -> None:
    """openpyxl parses XML through defusedxml only when defusedxml is importable."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "defusedxml must be installed so that openpyxl refuses XML bombs."
        )


def check_upload(data: bytes, file_name: str) -> None:
    """Raise :class:`UnsafeFile` unless ``data`` is a plausible, harmless table file."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise UnsafeFile(
            "too_large", _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}
        )
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise UnsafeFile("macros", _("Workbooks with macros cannot be imported; save as .xlsx."))
    if suffix not in ALLOWED_SUFFIXES:
        raise UnsafeFile("bad_type", _("Only .xlsx, .xls and .csv files can be imported."))
    if suffix == ".xlsx":
        check_xlsx(data)
    elif suffix == ".xls":
        if not data.startswith(OLE_MAGIC):
            raise UnsafeFile("bad_type", _("This file is not an Excel workbook."))
        if b"V\x00B\x00A\x00" in data or b"_VBA_PROJECT" in data:
            raise UnsafeFile(
                "macros", _("Workbooks with macros cannot be imported; save as .xlsx.")
            )
    elif data.startswith((b"PK\x03\x04", OLE_MAGIC)):
        raise UnsafeFile("bad_type", _("This file is a workbook, not a CSV file."))


def check_xlsx(data: bytes) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise UnsafeFile("bad_type", _("This file is not an Excel workbook."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnsafeFile("bad_type", _("This file is not an Excel workbook.")) from exc
    _check_directory(entries)
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeFile("bad_type", _("This file is not an Excel workbook."))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnsafeFile("macros", _("Workbooks with macros cannot be imported; save as .xlsx."))
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")):
            _check_xml(archive, entry)


def _check_directory(entries) -> None:
    """Only the zip's directory: the sizes it declares (checked again while unpacking)."""
    if len(entries) > MAX_ENTRIES:
        raise UnsafeFile(
            "zip_bomb", _("The workbook has too many parts (%(n)d).") % {"n": len(entries)}
        )
    if sum(e.file_size for e in entries) > MAX_UNPACKED:
        raise UnsafeFile("zip_bomb", _("The workbook unpacks to more than 100 MB."))
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise UnsafeFile(
                "zip_bomb",
                _("A part of the workbook is compressed suspiciously well (more than %(ratio)d:1).")
                % {"ratio": MAX_RATIO},
            )


def _check_xml(archive: zipfile.ZipFile, entry) -> None:
    """Stream one part: its real size stays within the declared one; no DTD; no formulas."""
    is_sheet = entry.filename.startswith("xl/worksheets/")
    read, tail, head = 0, b"", True
    with archive.open(entry) as stream:
        while chunk := stream.read(1 << 20):
            read += len(chunk)
            if read > MAX_UNPACKED or read > entry.file_size:
                raise UnsafeFile("zip_bomb", _("The workbook unpacks to more than 100 MB."))
            window = tail + chunk
            if head and _DTD.search(window[:4096]) or _DTD.search(window):
                raise UnsafeFile(
                    "xml_entities",
                    _("The workbook contains XML entity declarations and is refused."),
                )
            head = False
            if is_sheet and _FORMULA.search(window):
                raise UnsafeFile(
                    "formula",
                    _(
                        "Cell %(cell)s holds a formula; roster cells must hold values. Copy the "
                        "column and paste it back as values."
                    )
                    % {"cell": _formula_cell(archive, entry) or "?"},
                )
            tail = chunk[-64:]


def _formula_cell(archive: zipfile.ZipFile, entry) -> str:
    with archive.open(entry) as stream:
        match = _CELL_REF.search(stream.read(min(entry.file_size, MAX_UNPACKED)))
    return match.group(1).decode() if match else ""
