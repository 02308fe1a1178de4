from django.contrib import admin
from django.urls import include, path

from notifications import callback as notification_callback

from . import views
from .api import api

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/callback/", notification_callback.delivery_receipt, name="notifications-callback"),
    path("staff/", include("accounts.urls")),
    path("staff/audit/", include("audit.urls")),
    path("staff/people/", include("people.urls")),
    path("staff/duplicates/", include("people.duplicate_urls")),
    path("staff/contacts/", include("contacts.urls")),
    path("staff/neighbourhoods/", include("neighbourhoods.urls")),
    path("staff/crimes/", include("cases.urls")),
    path("staff/demand/", include("demand.urls")),
    path("staff/chat/", include("chat.urls")),
    path("staff/evidence/", include("evidence.urls")),
    path("staff/notifications/", include("notifications.urls")),
    path("staff/operations/", include("scheduling.urls")),
    path("staff/records/", include("records.urls")),
    path("report/", include("public.urls")), path("staff/business/", include("public.staff_urls")),
    path("upload/", include("evidence.public_urls")),
    path("chat/", include("chat.public_urls")),
    path("appointment/", include("contacts.public_urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
