"""``/api/v1/dashboard/{area_id}/``: the dashboard's figures, the same dict the page shows."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.periods import period_from
from foundation.replica import replica_reads
from responsibility_areas.models import Area

from .figures import INDICATORS, cache_key, dashboard
from .views import may_read

FIGURE_KEYS = [
    *[i.key for i in INDICATORS],
    "must_paired",
    "cadres",
    "cadres_behind",
    "on_schedule",
    "overdue_open",
    "late",
    "done",
    "on_time",
    "resolved",
    "explained",
    "avg_days",
]


def _figures():
    return {
        key: serializers.FloatField(allow_null=True, help_text=f"figure {key}")
        for key in FIGURE_KEYS
    }


FiguresSerializer = type("DashboardFigures", (serializers.Serializer,), _figures())


class ChildSerializer(FiguresSerializer):
    area = serializers.IntegerField()
    name = serializers.CharField()


class ActivitySerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.IntegerField()
    previous = serializers.IntegerField()
    last_year = serializers.IntegerField()


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    contacts = serializers.IntegerField()
    visits_in = serializers.IntegerField()
    stay_days = serializers.IntegerField()
    new = serializers.IntegerField()
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    escalated = serializers.IntegerField()
    closed_out = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class KindSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    new = serializers.IntegerField()
    pending = serializers.IntegerField()


class OverdueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    area = serializers.CharField()
    owner = serializers.CharField()
    handler = serializers.CharField(allow_null=True)
    level = serializers.CharField()
    deadline = serializers.DateField()


class RankSerializer(serializers.Serializer):
    rank = serializers.CharField()
    cadres = serializers.IntegerField()
    behind = serializers.IntegerField()


class SatisfactionSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(allow_null=True)
    campaign_name = serializers.CharField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    dissatisfaction_rate = serializers.FloatField(allow_null=True)
    participants = serializers.IntegerField(allow_null=True)
    grassroots_percent = serializers.FloatField(allow_null=True)
    valid = serializers.BooleanField(allow_null=True)
    cases_open = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    area = serializers.IntegerField()
    name = serializers.CharField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    as_of = serializers.DateField()
    computed_at = serializers.DateTimeField(allow_null=True)
    figures = FiguresSerializer()
    quota_by_rank = RankSerializer(many=True)
    activity = ActivitySerializer(many=True)
    children = ChildSerializer(many=True)
    by_kind = KindSerializer(many=True)
    by_topic = KindSerializer(many=True)
    oldest_overdue = OverdueSerializer(many=True)
    overdue_now = serializers.IntegerField(
        help_text="Matters still open and past their deadline today (the ledger's overdue=true)"
    )
    meetings_due = serializers.ListField(child=serializers.IntegerField())
    notices_open = serializers.IntegerField()
    satisfaction = SatisfactionSerializer()
    trend = MonthSerializer(many=True)


def _figures_of(row: dict) -> dict:
    return {key: row.get(key) for key in FIGURE_KEYS}


def as_json(board: dict) -> dict:
    period, satisfaction = board["period"], board["satisfaction"]
    campaign = satisfaction.get("campaign")
    return {
        "area": board["area"].pk,
        "name": board["area"].name,
        "period": period.param,
        "start": period.start,
        "end": period.end,
        "as_of": period.as_of,
        "computed_at": board["computed_at"],
        "figures": _figures_of(board["total"]),
        "quota_by_rank": [
            {"rank": rank, "cadres": pair[0], "behind": pair[1]}
            for rank, pair in sorted(board["quota_by_rank"].items())
        ],
        "activity": [
            {
                "key": row["indicator"].key,
                "value": row["value"],
                "previous": row["previous"],
                "last_year": row["last_year"],
            }
            for row in board["activity"]
        ],
        "children": [
            {"area": row["area"].pk, "name": row["area"].name, **_figures_of(row)}
            for row in board["children"]
        ],
        "by_kind": [
            {"key": r["key"], "label": str(r["label"]), "new": r["new"], "pending": r["pending"]}
            for r in board["kinds"]["by_kind"]
        ],
        "by_topic": [
            {"key": r["key"], "label": str(r["label"]), "new": r["new"], "pending": r["pending"]}
            for r in board["kinds"]["by_topic"]
        ],
        "oldest_overdue": [
            {
                "id": m.pk,
                "number": m.number,
                "area": m.area.name,
                "owner": m.owner.name,
                "handler": m.handler.name if m.handler_id else None,
                "level": m.level,
                "deadline": m.deadline,
            }
            for m in board["oldest_overdue"]
        ],
        "overdue_now": board["overdue_now"],
        "meetings_due": [a.pk for a in board["meetings_due"]],
        "notices_open": board["notices_open"],
        "satisfaction": {
            "campaign": campaign.pk if campaign else None,
            "campaign_name": campaign.name if campaign else None,
            "satisfaction_rate": satisfaction.get("satisfaction_rate"),
            "dissatisfaction_rate": satisfaction.get("dissatisfaction_rate"),
            "participants": satisfaction.get("participants"),
            "grassroots_percent": satisfaction.get("grassroots_percent"),
            "valid": satisfaction.get("valid"),
            "cases_open": satisfaction["cases_open"],
        },
        "trend": [
            {
                "month": f"{row['month']:%Y-%m}",
                **{
                    k: row[k]
                    for k in (
                        "contacts",
                        "visits_in",
                        "stay_days",
                        "new",
                        "pending",
                        "overdue",
                        "escalated",
                        "closed_out",
                        "on_time_rate",
                    )
                },
            }
            for row in board["trend"]
        ],
    }


class DashboardView(APIView):
    """The dashboard of an area in the caller's scope (404 otherwise), for a period."""

    @extend_schema(
        operation_id="dashboard_retrieve",
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description="month (default), last_month, year or YYYY-MM",
            )
        ],
        responses={200: DashboardSerializer},
    )
    @method_decorator(replica_reads)
    def get(self, request, area_id: int):
        if not may_read(request.user):
            raise Http404
        area = Area.objects.visible_to(request.user).filter(pk=area_id).first()
        if area is None:
            raise Http404
        period = period_from(request.query_params.get("period"))
        key = cache_key(request.user, area, period, "api")
        data = cache.get(key)
        if data is None:  # the serialized figures, kept under the same exact key as the board
            data = DashboardSerializer(as_json(dashboard(request.user, area, period))).data
            cache.set(key, data, settings.LIAISON_DASHBOARD_CACHE_SECONDS)
        return Response(data)
