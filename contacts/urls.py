from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.take_contact, name="new"),
    path("draft/", views.autosave, name="autosave"),
    path("history/", views.history, name="history"),
    path("draft/discard/", views.discard_draft, name="discard-draft"),
    path("overrides/", views.overrides, name="overrides"),
    path("resolution/", views.resolution, name="resolution"),
    path("<str:reference>/", views.contact_detail, name="detail"),
    path("<str:reference>/thrive/", views.assess_thrive, name="thrive"),
    path("<str:reference>/grade/", views.grade, name="grade"),
    path("<str:reference>/outcome/", views.record_outcome, name="outcome"),
    path("<str:reference>/dash/", views.assess_dash, name="dash"),
]
