from django.urls import path

from . import public

# Public (no log-in): the survey of the contact card's QR page.
public_urls = [path("h/<str:token>/survey/", public.survey_answer, name="survey_answer")]
