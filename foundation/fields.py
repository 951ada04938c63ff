"""Model fields for free text that must never hold a full ID number or mobile number.

Decision (issue 9): free text is redacted **when stored**. ID numbers and phones have
their own encrypted columns; a number typed into a diary note, a matter description or a
meeting's minutes would otherwise sit in clear in the database, in backups, and in every
page, API response, export and log that shows the text. ``redact`` keeps the shape (18 and
11 characters, first and last digits) so the text still reads; ``update()`` passes
through the same redaction.
"""

from __future__ import annotations

from django.db import models

from .masking import redact


class _Redacting:
    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = redact(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return redact(value) if isinstance(value, str) else value


class RedactedTextField(_Redacting, models.TextField):
    """A ``TextField`` whose ID and mobile numbers are masked on the way into the database."""


class RedactedCharField(_Redacting, models.CharField):
    """A ``CharField`` whose ID and mobile numbers are masked on the way into the database."""


def redact_stored_rows(model, fields) -> int:
    """Redact what older versions stored in clear (for data migrations); returns rows changed.

    Only rows with a run of 11+ digits in one of ``fields`` are read (a regex the
    database evaluates), and only those are written back.
    """
    from functools import reduce
    from operator import or_

    condition = reduce(or_, (models.Q(**{f"{f}__regex": r"[0-9]{11}"}) for f in fields))
    changed = 0
    for row in model.objects.filter(condition).only("pk", *fields).iterator(chunk_size=2000):
        values = {f: redact(getattr(row, f)) for f in fields}
        if any(values[f] != getattr(row, f) for f in fields):
            model.objects.filter(pk=row.pk).update(**values)
            changed += 1
    return changed
