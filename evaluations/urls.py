from django.urls import path

from . import ballot_pages, public, views

# Public (no log-in): the household types its ballot code (测评码) here.
public_urls = [path("survey/", public.ballot, name="ballot")]

app_name = "evaluations"
urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("questionnaires/", views.questionnaires, name="questionnaires"),
    path("questionnaires/<int:pk>/", views.questionnaires, name="questionnaire"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/paper/", views.paper_entry, name="paper"),
    path("<int:pk>/ballots/", ballot_pages.ballot_codes, name="ballots"),
    path("<int:pk>/notice/", views.campaign_notice, name="notice"),
    path("<int:pk>/export.xlsx", views.campaign_export, name="export"),
    path("<int:pk>/open/", views.campaign_step, {"step": "open"}, name="open"),
    path("<int:pk>/close/", views.campaign_step, {"step": "close"}, name="close"),
    path("cases/<int:pk>/resolve/", views.case_resolve, name="resolve"),
    path("<int:pk>/commendations/", views.commendations_confirm, name="commend"),
]
