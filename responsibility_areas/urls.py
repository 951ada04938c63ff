from django.urls import path

from . import views

app_name = "responsibility_areas"
urlpatterns = [
    path("", views.index, name="index"),
    path("picker/", views.picker, name="picker"),
    path("current/", views.set_current, name="set_current"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move/", views.move, name="move"),
]
