"""URL routes of this page module."""

urlpatterns: list = []
