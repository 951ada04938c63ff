from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.area_board, name="area"),
    path("<int:pk>/export.xlsx", views.area_export, name="export"),
    path("<int:pk>/rows/<str:key>/", views.rows, name="rows"),
]
