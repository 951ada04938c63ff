"""zh-hans first: every user-facing string has a Chinese translation, compiled."""

import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"


def untranslated(po):
    return [
        e.msgid
        for e in po
        if e.obsolete is False
        and ("fuzzy" in e.flags or not (e.msgstr or any(e.msgstr_plural.values())))
    ]


def test_every_string_in_the_catalogue_is_translated():
    assert untranslated(polib.pofile(str(PO))) == []


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """Extract afresh; a string added to code or templates but not to the .po fails here."""
    for path in ("liaison", "responsibility_areas", "grievances", "evaluations", "templates"):
        (tmp_path / path).symlink_to(Path(settings.BASE_DIR) / path)
    (tmp_path / "locale").mkdir()
    cwd = Path.cwd()
    try:
        import os

        os.chdir(tmp_path)
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, symlinks=True)
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))
    known = {e.msgid for e in polib.pofile(str(PO))}
    assert sorted(e.msgid for e in fresh if e.msgid not in known) == []


def test_the_compiled_catalogue_matches_the_source():
    mo = PO.with_suffix(".mo")
    compiled = polib.mofile(str(mo))
    source = polib.pofile(str(PO))
    # Keyed by context too: "Rank" of a cadre (职级) is not the "Rank" of a result (名次).
    assert {(e.msgctxt, e.msgid): e.msgstr for e in source if e.msgstr} == {
        (e.msgctxt, e.msgid): e.msgstr for e in compiled if e.msgstr and e.msgid
    }


@pytest.mark.parametrize("language,text", [("zh-hans", "登录"), ("en", "Log in")])
def test_login_page_speaks_the_chosen_language(client, db, language, text):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert text in client.get("/login/").content.decode()


def test_msgfmt_accepts_the_catalogue():
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
