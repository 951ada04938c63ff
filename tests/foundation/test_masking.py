"""The shared rules for showing personal data: names, free text, spreadsheet cells."""

from foundation.masking import mask_name, redact, safe_cell


def test_names_keep_only_the_surname_compound_ones_whole():
    names = ("王大明", "李四", "欧阳春", "欧阳", " 张三 ", "", None)
    assert [mask_name(n) for n in names] == ["王*", "李*", "欧阳*", "欧*", "张*", "", ""]


def test_free_text_loses_id_numbers_and_mobiles_but_not_other_numbers():
    text = "身份证530802195803170019，电话13800138000，门牌12号，邮编665000"
    assert redact(text) == "身份证530802********0019，电话138****8000，门牌12号，邮编665000"
    assert redact("") == "" and redact(None) == ""


def test_cells_that_a_spreadsheet_would_evaluate_get_a_quote():
    for value in ("=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx", "\0x"):
        assert safe_cell(value) == "'" + value
    assert safe_cell("王大明") == "王大明" and safe_cell(3) == 3 and safe_cell(None) == ""
