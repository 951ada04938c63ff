from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.area_board, name="area"),
    path("<int:pk>/export.xlsx", views.area_export, name="export"),
    # A topic is free text ("水/电", "路?灯", emoji): the key may hold any character.
    path("<int:pk>/rows/<path:key>/", views.rows, name="rows"),
]
