"""The API's error answers: translated, and never a model's name or a traceback."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # get_object_or_404 says "No Area matches the given query." in English and names the
    # model; DRF's NotFound says 未找到。 in the user's language.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
