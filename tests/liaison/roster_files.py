"""Messy roster files as people really keep them, generated in tmp_path."""

import csv
import io

import openpyxl

from tests.liaison.factories import id_number, phone

HEADERS = [
    "县(区)",
    "乡(镇/街道)",
    "村(社区)",
    "村民小组",
    "户主姓名",
    "公民身份号码",
    "联系电话",
    "家庭人口",
    "户类别",
    "是否党员",
    "结对干部",
    "干部单位",
    "干部职务",
    "干部电话",
    "结对方式",
    "结对日期",
]


def roster_row(**over):
    row = {
        "县(区)": "思茅区",
        "乡(镇/街道)": "思茅镇",
        "村(社区)": "甲村",
        "村民小组": "一组",
        "户主姓名": "王大",
        "公民身份号码": id_number(),
        "联系电话": phone(),
        "家庭人口": 3,
        "户类别": "低保户、残疾人家庭",
        "是否党员": "否",
        "结对干部": "刘强",
        "干部单位": "思茅镇人民政府",
        "干部职务": "副镇长",
        "干部电话": "13900000001",
        "结对方式": "属地结对",
        "结对日期": "2024-03-01",
    }
    row.update(over)
    return row


def xlsx_bytes(
    rows,
    *,
    headers=HEADERS,
    title="思茅镇干部结对联户花名册",
    notes=("填报说明：一户一行",),
    signature="填表人：张丽    审核人：李明",
    sheets=None,
    merges=(),
    before=None,
):
    """A workbook: title and notes above the header, a signature line below, optional merges."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    if before:
        before(book)
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for note in notes:
        sheet.append([note])
    sheet.append(headers)
    for row in rows:
        sheet.append(
            [row.get(h, "") if isinstance(row, dict) else row[i] for i, h in enumerate(headers)]
        )
    if signature:
        sheet.append([])
        sheet.append([signature])
    for merge in merges:
        sheet.merge_cells(merge)
    for name, extra_rows in (sheets or {}).items():
        other = book.create_sheet(name)
        for r in extra_rows:
            other.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, *, headers=HEADERS, encoding="utf-8", title="花名册"):
    out = io.StringIO()
    writer = csv.writer(out)
    if title:
        writer.writerow([title])
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def xls_bytes(rows, *, headers=HEADERS, title="思茅镇干部结对联户花名册", merge_area_rows=0):
    """An Excel 97–2003 .xls (xlwt, a test-only dependency): a title row, the header on row
    2, data from row 3; ``merge_area_rows`` merges the first three area columns over that
    many data rows, as township offices do."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    sheet.write(0, 0, title)
    for col, header in enumerate(headers):
        sheet.write(1, col, header)
    for r, row in enumerate(rows, start=2):
        for col, header in enumerate(headers):
            if merge_area_rows and r > 2 and r < 2 + merge_area_rows and col < 3:
                continue  # inside a merged block: the value sits in the top cell only
            value = row.get(header)
            if merge_area_rows and r == 2 and col < 3:
                sheet.write_merge(r, r + merge_area_rows - 1, col, col, value)
            elif value is not None:
                sheet.write(r, col, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
