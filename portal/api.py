"""The REST API root: every app registers its viewsets on this router."""

from rest_framework.routers import DefaultRouter

from evaluations.api import (
    AccountabilityViewSet,
    CampaignViewSet,
    EvaluationViewSet,
    SurveyViewSet,
)
from grievances.api import MatterViewSet
from grievances.api_work import (
    MeetingViewSet,
    NoticeViewSet,
    NotificationViewSet,
    PublicReportViewSet,
)
from liaison.api_people import CadreViewSet, HouseholdViewSet, PairingViewSet, VisitViewSet
from liaison.api_work import AssignmentViewSet, CommitmentViewSet, ImportJobViewSet
from responsibility_areas.api import AreaViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("cadres", CadreViewSet, basename="cadre")
router.register("households", HouseholdViewSet, basename="household")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("visits", VisitViewSet, basename="visit")
router.register("grievances", MatterViewSet, basename="matter")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("accountability", AccountabilityViewSet, basename="accountability")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("supervision-notices", NoticeViewSet, basename="supervision-notice")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("public-reports", PublicReportViewSet, basename="public-report")
router.register("responsibility", AssignmentViewSet, basename="assignment")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("imports", ImportJobViewSet, basename="import")
