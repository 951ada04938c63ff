"""Each create happens once per submission, however often it is sent (issue 10 §2).

A clerk whose connection dropped after the commit submits again; a double click sends
twice; an API client retries. Every create form carries a submission token (a hidden
field made when the form was drawn) and every create API call may send an
``Idempotency-Key`` header. :func:`once` runs the create only for a token it has not seen:

* the token is claimed by inserting a row under a unique (user, scope, key) constraint in
  the same transaction as the create, so the create and its memory commit together;
* a concurrent second try blocks on that insert until the first commits, then finds it;
* a create that fails (a validation error) rolls its claim back, so the corrected form can
  be sent again under the same token.

The second try gets the first result back: the page redirects to it, the API answers with
it (200 instead of 201). An API key sent again with a *different* body is a client's
mistake, not a retry: 422, as the IETF Idempotency-Key draft says (``fingerprint_of``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

HEADER = "HTTP_IDEMPOTENCY_KEY"
FIELD = "submission"
MAX_KEY = 100


class KeyReused(APIException):
    status_code = 422
    default_detail = _("This Idempotency-Key was already used for a request with another body.")
    default_code = "idempotency_key_reused"


def fingerprint_of(request) -> str:
    """The digest of an API request's parsed body (key order and form encoding do not
    matter) when it carries an ``Idempotency-Key``; "" otherwise."""
    if not request.META.get(HEADER):
        return ""
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart)
        data = dict(data.lists())
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class Outcome:
    obj: object | None  # what the first try created (None if it no longer exists)
    created: bool  # True: made now; False: an earlier submission made it


def _submission():
    from foundation.models import Submission

    return Submission


def once(
    *,
    user,
    key: str | None,
    scope: str,
    model,
    create: Callable[[], object],
    fingerprint: str = "",
) -> Outcome:
    """``create()`` unless ``user`` already sent ``key`` for ``scope``; then its result —
    or :class:`KeyReused` when the earlier request's ``fingerprint`` was another."""
    key = (key or "").strip()[:MAX_KEY]
    if not key or not getattr(user, "pk", None):
        return Outcome(create(), True)
    Submission = _submission()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = Submission.objects.create(
                    user=user, scope=scope, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            earlier = Submission.objects.get(user=user, scope=scope, key=key)
            if fingerprint and earlier.fingerprint and fingerprint != earlier.fingerprint:
                raise KeyReused() from None
            found = model._default_manager.filter(pk=earlier.object_id).first()
            return Outcome(found, False)
        obj = create()
        claim.object_type, claim.object_id = model._meta.label, str(obj.pk)
        claim.save(update_fields=["object_type", "object_id"])
        return Outcome(obj, True)


def key_from(request) -> str:
    """The form's submission token, or the API's Idempotency-Key header."""
    return request.POST.get(FIELD) or request.META.get(HEADER, "")
