"""Where apps above liaison plug in, so that liaison imports none of them.

Two seams, each a registry an upper app fills when it starts (``AppConfig.ready``):

* **diary → ledger**: a diary's matters not solved on the spot must enter the grievance
  ledger in the same transaction as the diary (DOMAIN.md §4, first-visit ownership).
  ``record_visit`` calls every registered handler inside its own transaction, so the diary
  and its ledger matters commit together or not at all. A registered handler was chosen
  over the site composing the two services: composing would put a rule of the domain
  (a diary's unsolved matters are ledgered, atomically) in the wiring, where every other
  caller of ``record_visit`` — the API, the roster, a command — could forget it.
* **the cadre's page**: sections other apps add (the ledger adds the cadre's open matters,
  read through its own selector with the viewer's scope);
* **the household's public page** (the contact card's QR code): sections other apps add
  (the evaluation adds its survey while a campaign is open there).
"""

from __future__ import annotations

from collections.abc import Callable

_visit_matter_handlers: list[Callable] = []
_cadre_page_sections: list[Callable] = []
_household_page_sections: list[Callable] = []
_public_card_sections: list[Callable] = []


def on_visit_matters(handler: Callable) -> Callable:
    """Register ``handler(*, actor, visit, written=None)``: called in the diary's
    transaction; ``written`` are the visit matters just written (else it reads them)."""
    if handler not in _visit_matter_handlers:
        _visit_matter_handlers.append(handler)
    return handler


def visit_matters_recorded(*, actor, visit, written=None) -> None:
    for handler in _visit_matter_handlers:
        handler(actor=actor, visit=visit, written=written)


def cadre_page_section(section: Callable) -> Callable:
    """Register ``section(viewer, cadre) -> dict``: context the cadre's page shows."""
    if section not in _cadre_page_sections:
        _cadre_page_sections.append(section)
    return section


def cadre_page_context(viewer, cadre) -> dict:
    context: dict = {}
    for section in _cadre_page_sections:
        context.update(section(viewer, cadre))
    return context


def household_page_section(section: Callable) -> Callable:
    """Register ``section(viewer, household) -> dict``: context the household's page (its
    民情档案) shows — its matters in the ledger, how often it answered a survey."""
    if section not in _household_page_sections:
        _household_page_sections.append(section)
    return section


def household_page_context(viewer, household) -> dict:
    context: dict = {}
    for section in _household_page_sections:
        context.update(section(viewer, household))
    return context


def public_card_section(section: Callable) -> Callable:
    """Register ``section(request, household, token) -> str``: HTML the household's public
    page (the contact card's QR code) shows below its cadres (the evaluation's survey)."""
    if section not in _public_card_sections:
        _public_card_sections.append(section)
    return section


def public_card_html(request, household, token) -> list[str]:
    return [
        html for section in _public_card_sections if (html := section(request, household, token))
    ]
