from django.urls import path

from . import appointment_views, calendar_views, quality_views, views

app_name = "contacts"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.take_contact, name="new"),
    path("draft/", views.autosave, name="autosave"),
    path("history/", views.history, name="history"),
    path("draft/discard/", views.discard_draft, name="discard-draft"),
    path("overrides/", views.overrides, name="overrides"),
    path("resolution/", views.resolution, name="resolution"),
    path("appointments/", appointment_views.day_list, name="appointments"),
    path("appointments/<int:pk>/move/", appointment_views.move, name="appointment-move"),
    path("appointments/<int:pk>/cancel/", appointment_views.cancel, name="appointment-cancel"),
    path("appointments/<int:pk>/calendar.ics", calendar_views.appointment_file, name="appointment-calendar"),
    path("appointments/calendar/<int:team>.ics", calendar_views.team_feed, name="team-calendar"),
    path("appointments/calendar/subscription/", calendar_views.subscription, name="team-calendar-subscription"),
    path("appointments/calendar/feed/<str:token>.ics", calendar_views.team_feed_by_token, name="team-calendar-feed"),
    path("quality/", quality_views.results, name="quality"),
    path("quality/feedback/", quality_views.feedback, name="quality-feedback"),
    path("quality/<int:pk>/", quality_views.review, name="quality-review"),
    path("<str:reference>/", views.contact_detail, name="detail"),
    path("<str:reference>/thrive/", views.assess_thrive, name="thrive"),
    path("<str:reference>/grade/", views.grade, name="grade"),
    path("<str:reference>/outcome/", views.record_outcome, name="outcome"),
    path("<str:reference>/dash/", views.assess_dash, name="dash"),
    path("<str:reference>/appointment/", appointment_views.book, name="appointment-book"),
]
