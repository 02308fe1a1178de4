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
    path("<str:reference>/phones/main/remove/", views.remove_phone, name="remove_main_phone"),
    path("<str:reference>/phones/<int:phone_id>/remove/", views.remove_phone, name="remove_phone"),
    path("<str:reference>/phones/main/kind/", views.change_phone_kind, name="change_main_phone_kind"),
    path("<str:reference>/phones/<int:phone_id>/kind/", views.change_phone_kind, name="change_phone_kind"),
    path("<str:reference>/emails/main/remove/", views.remove_email, name="remove_main_email"),
    path("<str:reference>/emails/<int:email_id>/remove/", views.remove_email, name="remove_email"),
    path("<str:reference>/identifiers/<int:identifier_id>/remove/", views.remove_identifier, name="remove_identifier"),
    path("<str:reference>/crimes/new/", views.link_crime, name="link_crime"),
    path("<str:reference>/crimes/<int:link_id>/remove/", views.remove_crime_link, name="remove_crime_link"),
    path("<str:reference>/address/move/", views.move, name="move"),
]
