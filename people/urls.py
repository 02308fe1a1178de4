from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("<str:reference>/", views.person, name="person"),
]
