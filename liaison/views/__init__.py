"""Pages of liaison, one module per responsibility; each module that has pages
exposes its own ``urlpatterns``, included from ``portal/urls.py``."""
