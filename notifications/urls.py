from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:message_id>/", views.message_detail, name="message"),
    path("<int:message_id>/retry/", views.retry, name="retry"),
]
