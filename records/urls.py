from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.index, name="index"),
    path("retention/", views.retention_queue, name="retention"),
    path("retention/<int:review_id>/", views.decide, name="decide"),
    path("subject-access/", views.request_register, name="requests"),
    path("subject-access/new/", views.find_subject, name="find-subject"),
    path("subject-access/new/<str:reference>/", views.new_request, name="new-request"),
    path("subject-access/<int:request_id>/pack.pdf", views.disclosure_pack, name="pack"),
]
