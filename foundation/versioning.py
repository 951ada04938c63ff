"""Optimistic edits: a save names the version it was made from, and loses if it is stale.

Every record people edit from a page or the API carries ``version``. A service that
changes one calls :func:`claim` inside its transaction with the version the page or the
API call read: one conditional UPDATE (``... SET version = version + 1 WHERE pk = %s AND
version = %s``) decides. The loser gets :class:`StaleEdit` — "已被他人修改" — and nothing is
overwritten; the page shows both values and keeps what was typed, the API answers 409.
The UPDATE holds the row until the transaction ends, so two saves at once serialise and
the second sees the first's version (PostgreSQL re-checks the WHERE after the wait).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class StaleEdit(Exception):
    """The record changed since the caller read it; ``current`` is the record as stored now."""

    code = "stale"

    def __init__(self, current):
        self.current = current
        self.message = str(
            _(
                "Someone else changed this record after you opened it (已被他人修改). "
                "Nothing was saved: compare the values, then save again."
            )
        )
        super().__init__(self.message)


def version_field():
    # db_default: rows written by COPY or raw SQL (imports, seed_scale) start at 1 too.
    return models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)


def claim(instance, seen: int | None, *, changes: bool = True) -> None:
    """Take the next version of ``instance`` if it is still at ``seen``; else :class:`StaleEdit`.

    ``seen=None`` means the caller did not read it from a page (a command, an import): the
    version still moves on, so every page opened before sees the change. ``changes=False``
    (a save that changes nothing) checks the version without moving it, so it causes no
    false "changed by someone else" on other open pages.
    """
    model = type(instance)
    rows = model._base_manager.filter(pk=instance.pk)
    if seen is not None:
        rows = rows.filter(version=seen)
    if not changes:
        if seen is not None and not rows.exists():
            raise StaleEdit(model._base_manager.get(pk=instance.pk))
        return
    if not rows.update(version=F("version") + 1):
        raise StaleEdit(model._base_manager.get(pk=instance.pk))
    instance.version = model._base_manager.values_list("version", flat=True).get(pk=instance.pk)
