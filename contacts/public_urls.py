"""The public side of appointments: the caller's calendar file, by the link in their message."""

from django.urls import path

from . import calendar_views

app_name = "contacts-public"

urlpatterns = [
    path("<str:token>/calendar.ics", calendar_views.caller_file, name="appointment-calendar"),
]
