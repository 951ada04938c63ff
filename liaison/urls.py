"""The people app's pages, by section; ``portal/urls.py`` mounts each under its prefix."""

from django.urls import path

from .views import cadres as cadre_pages
from .views import cards as card_pages
from .views import diaries as diary_pages
from .views import households as household_pages
from .views import imports as import_pages
from .views import responsibility as responsibility_pages

households = [
    path("", household_pages.household_list, name="household_list"),
    path("export.xlsx", household_pages.household_export, name="household_export"),
    path("new/", household_pages.household_new, name="household_new"),
    path("coverage/", household_pages.coverage, name="coverage"),
    path("<int:pk>/", household_pages.household_detail, name="household_detail"),
    path("<int:pk>/edit/", household_pages.household_edit, name="household_edit"),
    path("<int:pk>/reveal/", household_pages.household_reveal, name="household_reveal"),
    path("<int:pk>/pair/", household_pages.household_pair, name="household_pair"),
    path("pairings/<int:pk>/end/", household_pages.pairing_end, name="pairing_end"),
]

cadres = [
    path("", cadre_pages.cadre_list, name="cadre_list"),
    path("export.xlsx", cadre_pages.cadre_export, name="cadre_export"),
    path("new/", cadre_pages.cadre_new, name="cadre_new"),
    path("me/", cadre_pages.my_page, name="my_page"),
    path("quotas/", cadre_pages.quotas, name="quotas"),
    path("<int:pk>/", cadre_pages.cadre_detail, name="cadre_detail"),
    path("<int:pk>/commitments/", cadre_pages.commitment_add, name="commitment_add"),
    path("commitments/<int:pk>/status/", cadre_pages.commitment_status, name="commitment_status"),
]

diaries = [
    path("", diary_pages.visit_list, name="visit_list"),
    path("export.xlsx", diary_pages.visit_export, name="visit_export"),
    path("new/", diary_pages.visit_new, name="visit_new"),
    path("households/", diary_pages.household_search, name="visit_household_search"),
    path("<int:pk>/", diary_pages.visit_detail, name="visit_detail"),
]

cards = [
    path("village/<int:pk>/", card_pages.village_cards, name="cards_village"),
    path("cadre/<int:pk>/", card_pages.cadre_cards, name="cards_cadre"),
    path("h/<str:token>/", card_pages.public_card, name="card_public"),
]

imports = [
    path("", import_pages.import_list, name="import_list"),
    path("template.xlsx", import_pages.import_template, name="import_template"),
    path("<int:pk>/", import_pages.import_detail, name="import_detail"),
    path("<int:pk>/progress/", import_pages.import_progress, name="import_progress"),
    path("<int:pk>/preview/", import_pages.import_preview, name="import_preview"),
    path("<int:pk>/confirm/", import_pages.import_confirm, name="import_confirm"),
    path("<int:pk>/discard/", import_pages.import_discard, name="import_discard"),
    path("<int:pk>/errors.xlsx", import_pages.import_error_report, name="import_error_report"),
]

responsibility = [
    path("<int:pk>/", responsibility_pages.area_responsibility, name="area_responsibility"),
    path(
        "<int:pk>/missing/",
        responsibility_pages.areas_without_responsible,
        name="areas_without_responsible",
    ),
]
