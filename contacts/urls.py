from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.take_contact, name="new"),
    path("draft/", views.autosave, name="autosave"),
    path("draft/discard/", views.discard_draft, name="discard-draft"),
    path("<str:reference>/", views.contact_detail, name="detail"),
]
