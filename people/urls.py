from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("<str:reference>/", views.person, name="person"),
    path("<str:reference>/details/", views.change_details, name="change_details"),
    path("<str:reference>/vulnerabilities/new/", views.add_vulnerability, name="add_vulnerability"),
    path("<str:reference>/vulnerabilities/<int:marker_id>/end/", views.end_vulnerability, name="end_vulnerability"),
    path("<str:reference>/identifiers/new/", views.add_identifier, name="add_identifier"),
    path("<str:reference>/names/new/", views.add_other_name, name="add_other_name"),
    path("<str:reference>/phones/new/", views.add_phone, name="add_phone"),
    path("<str:reference>/emails/new/", views.add_email, name="add_email"),
]
