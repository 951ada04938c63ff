"""Hostile files are refused before any parser sees them (zip bombs, macros, XML bombs, formulas)."""

import io
import resource
import time
import zipfile

import openpyxl
import pytest
from django.test import override_settings

from liaison import services
from liaison.importing import UnsafeFile, assert_defused, check_upload
from liaison.models import ImportJob
from tests.liaison.roster_files import roster_row, xlsx_bytes


def refused(data, name="花名册.xlsx"):
    with pytest.raises(UnsafeFile) as err:
        check_upload(data, name)
    return err.value.code


def rezip(data, replace=None, add=None):
    """The same workbook with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = (replace or {}).get(item.filename, source.read(item.filename))
            target.writestr(item.filename, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def test_a_plain_roster_passes():
    check_upload(xlsx_bytes([roster_row()]), "花名册.xlsx")


def test_openpyxl_runs_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    assert_defused()


def test_zip_bomb_is_refused_from_the_directory_quickly():
    bomb = rezip(xlsx_bytes([]), add={"xl/media/pad.bin": b" " * (200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    assert refused(bomb) == "zip_bomb"
    assert time.monotonic() - started < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 50 * 1024


def test_suspicious_compression_ratio_is_refused():
    bomb = rezip(xlsx_bytes([]), add={"xl/media/pad.bin": b"0" * (20 * 1024 * 1024)})
    assert refused(bomb) == "zip_bomb"


def test_too_many_parts_are_refused():
    many = rezip(xlsx_bytes([]), add={f"xl/media/{i}.bin": b"x" for i in range(120)})
    assert refused(many) == "zip_bomb"


def test_macro_workbooks_are_refused():
    assert refused(xlsx_bytes([roster_row()]), "花名册.xlsm") == "macros"
    with_vba = rezip(xlsx_bytes([roster_row()]), add={"xl/vbaProject.bin": b"\x00" * 100})
    assert refused(with_vba) == "macros"


def test_xml_bomb_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    bomb = rezip(xlsx_bytes([roster_row()]), replace={"xl/worksheets/sheet1.xml": laughs})
    assert refused(bomb) == "xml_entities"


def test_formula_cells_are_refused_naming_the_cell():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([roster_row()])))
    book.active["F4"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(UnsafeFile) as err:
        check_upload(out.getvalue(), "花名册.xlsx")
    assert err.value.code == "formula" and "F4" in err.value.message


def test_wrong_types_are_refused():
    assert refused(b"MZ\x90\x00" + b"\x00" * 100, "花名册.xlsx") == "bad_type"
    assert refused(b"MZ\x90\x00", "setup.exe") == "bad_type"
    assert refused(xlsx_bytes([]), "花名册.csv") == "bad_type"
    assert refused(b"not ole", "花名册.xls") == "bad_type"


@override_settings(LIAISON_IMPORT_MAX_BYTES=1024)
def test_size_limit_is_a_setting():
    assert refused(b"a" * 2048, "a.csv") == "too_large"


@pytest.mark.django_db
def test_an_unsafe_upload_creates_no_job(areas, clerk_a):
    with pytest.raises(services.LiaisonError) as err:
        services.create_import_job(actor=clerk_a, data=xlsx_bytes([]), file_name="x.xlsm")
    assert err.value.code == "macros" and not ImportJob.objects.exists()
