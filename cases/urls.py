from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.bureau_queue, name="queue"),
    path("compliance/", views.compliance_report, name="compliance"),
    path("<str:reference>/", views.crime_detail, name="crime"),
    path("<str:reference>/classify/", views.classify, name="classify"),
    path("<str:reference>/reclassify/", views.reclassify, name="reclassify"),
    path("<str:reference>/cancel/", views.request_cancellation, name="cancel"),
    path("<str:reference>/cancel/approve/", views.approve_cancellation, name="approve-cancellation"),
    path("<str:reference>/cancel/reject/", views.reject_cancellation, name="reject-cancellation"),
    path("<str:reference>/close/", views.close, name="close"),
]
