"""The REST API root: every app registers its viewsets on this router."""

from rest_framework.routers import DefaultRouter

from responsibility_areas.api import AreaViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
