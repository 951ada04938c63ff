"""Keep a preview's cell-checked rows beside the stored upload, for the confirm step.

Reading a 100,000-row workbook and checking its cells takes seconds and depends on the
file alone, so the preview stores its :class:`~liaison.importing.plan.CheckedRows`
and the confirm step loads them instead of doing it again. Everything that depends on
the database or on the user (areas and scope, existing households, cadres and pairings)
is checked again at confirm by ``plan_roster``.

The kept file lives on the server only, next to the upload (never anything the client
sent), and is used only when it is exactly what checking the file again would give:

* it is signed with an HMAC under ``SECRET_KEY`` (checked before anything is unpickled);
* it names the file's SHA-256 as read at confirm, the sheet, the date (the cell checks
  depend on today, e.g. a birth date in the future), the language of the messages, the
  ID-hash key and the source of the checking code.

Anything else, or any trouble reading it, means "not kept": the confirm step re-reads.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
from functools import cache
from pathlib import Path

from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from foundation import crypto

from .plan import CheckedRows, RowError

logger = logging.getLogger(__name__)

FORMAT = 1
_SALT = "liaison.importing.keep"
_DIGEST = 32  # bytes of HMAC-SHA256


@cache
def _code_version() -> str:
    """A hash of the modules whose rules the kept rows were checked by."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("reader.py", "cells.py", "plan.py", "roster.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _fingerprint(sha256: str, sheet: str) -> str:
    return "|".join(
        (
            str(FORMAT),
            _code_version(),
            sha256,
            sheet or "",
            timezone.localdate().isoformat(),
            translation.get_language() or "",
            crypto.blind_index("liaison.importing.keep"),  # the ID-hash key is the same
        )
    )


def _sign(payload: bytes) -> bytes:
    return salted_hmac(_SALT, payload, algorithm="sha256").digest()


def kept_path(upload: Path) -> Path:
    return upload.with_name(upload.name + ".checked")


def save_checked(checked: CheckedRows, path: Path, *, sha256: str, sheet: str = "") -> None:
    """Store ``checked`` at ``path`` (column-wise, pickled, signed). Failing to store is harmless."""
    rows = checked.rows
    keys = list(rows[0]) if rows else []
    columns = [[row[k] for row in rows] for k in keys]
    meta = {
        "file_name": checked.file_name,
        "sheet": checked.sheet,
        "header_row": checked.header_row,
        "total_rows": checked.total_rows,
        "notices": checked.notices,
        "headers": checked.headers,
        "errors": [(e.row, e.column, e.code, e.message) for e in checked.errors],
        "missing_columns": checked.missing_columns,
    }
    payload = pickle.dumps(
        (_fingerprint(sha256, sheet), meta, keys, columns), protocol=pickle.HIGHEST_PROTOCOL
    )
    try:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(_sign(payload) + payload)
        tmp.replace(path)
    except OSError:
        logger.warning("could not keep the checked rows at %s", path, exc_info=True)


def load_checked(path: Path, *, sha256: str, sheet: str = "") -> CheckedRows | None:
    """The rows a preview kept for this very file, or None (then read the file again)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    signature, payload = blob[:_DIGEST], blob[_DIGEST:]
    if not hmac.compare_digest(signature, _sign(payload)):
        logger.warning("kept rows at %s are not signed by us; reading the file again", path)
        return None
    try:
        fingerprint, meta, keys, columns = pickle.loads(payload)  # noqa: S301 (signed above)
    except Exception:  # noqa: BLE001 (an old format: read the file again)
        return None
    if fingerprint != _fingerprint(sha256, sheet):
        return None
    rows = [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]
    return CheckedRows(
        file_name=meta["file_name"],
        sheet=meta["sheet"],
        header_row=meta["header_row"],
        total_rows=meta["total_rows"],
        notices=meta["notices"],
        headers=meta["headers"],
        errors=[RowError(*e) for e in meta["errors"]],
        rows=rows,
        missing_columns=meta["missing_columns"],
    )


def drop_checked(path: Path) -> None:
    path.unlink(missing_ok=True)
