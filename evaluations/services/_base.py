"""What the evaluation's writes share: the domain error, scope and role checks, the
campaign's own view of its answers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from liaison.models import Pairing
from responsibility_areas.models import Area
from responsibility_areas.scoping import scope_paths


class EvaluationError(Exception):
    """A rule was broken. ``code`` is stable, ``message`` translated, ``field`` at fault;
    ``errors`` lists every (row, question, message) of a paper batch."""

    def __init__(self, code: str, message: str, field: str | None = None, errors=None):
        super().__init__(message)
        self.code, self.message, self.field, self.errors = code, message, field, errors or []


def _in_scope(actor, area: Area) -> None:
    if actor is None:
        return
    paths = scope_paths(actor)
    if not ("" in paths or any(area.path.startswith(p) for p in paths)):
        raise EvaluationError(
            "out_of_scope", _("This area is outside your responsibility."), "area"
        )


def _allowed(actor, action: str, area: Area | None) -> None:
    """The role table (responsibility_areas.permissions): in scope is not enough."""
    from responsibility_areas.permissions import may, may_at_the_root

    if actor is None:
        return
    allowed = may_at_the_root(actor, action) if area is None else may(actor, action, area)
    if not allowed:
        raise EvaluationError("not_allowed", _("Your role does not allow this."))


class _System:
    """The campaign's own view of its answers (all of them), for opening cases."""

    is_authenticated = is_active = is_superuser = True
    pk = None


def _own_paired(surveyor_cadre_id, household_ids) -> set[int]:
    pairs = Pairing.objects.active().filter(
        cadre_id=surveyor_cadre_id, household_id__in=household_ids
    )
    return set(pairs.values_list("household_id", flat=True))
