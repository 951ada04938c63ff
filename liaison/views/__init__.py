"""Pages of liaison, one module per responsibility; each module that has pages
exposes its own ``urlpatterns``, included from ``liaison/urls.py``."""

from .home import audit_log, health, home

__all__ = ["audit_log", "health", "home"]
