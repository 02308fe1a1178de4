from django.urls import path

from . import investigation_views as inv
from . import views

app_name = "cases"

urlpatterns = [
    path("", views.bureau_queue, name="queue"),
    path("compliance/", views.compliance_report, name="compliance"),
    path("resolution/", inv.resolution_queue, name="resolution-queue"),
    path("resolution/take-next/", inv.take_next, name="take-next"),
    path("investigations/", inv.my_investigations, name="my-investigations"),
    path("reviews/", inv.reviews_due, name="reviews"),
    path("victims-code/", inv.victims_code, name="victims-code"),
    path("bureau-tasks/", inv.bureau_tasks, name="bureau-tasks"),
    path("bureau-tasks/<int:task_id>/take/", inv.take_task, name="take-task"),
    path("bureau-tasks/<int:task_id>/complete/", inv.complete_task, name="complete-task"),
    path("<str:reference>/", views.crime_detail, name="crime"),
    path("<str:reference>/classify/", views.classify, name="classify"),
    path("<str:reference>/reclassify/", views.reclassify, name="reclassify"),
    path("<str:reference>/cancel/", views.request_cancellation, name="cancel"),
    path("<str:reference>/cancel/approve/", views.approve_cancellation, name="approve-cancellation"),
    path("<str:reference>/cancel/reject/", views.reject_cancellation, name="reject-cancellation"),
    path("<str:reference>/close/", views.close, name="close"),
    path("<str:reference>/investigation/", inv.investigation, name="investigation"),
    path("<str:reference>/investigation/allocate/", inv.allocate, name="allocate"),
    path("<str:reference>/investigation/contact/", inv.contact_attempt, name="contact-attempt"),
    path("<str:reference>/investigation/enquiries/", inv.add_enquiry, name="add-enquiry"),
    path("<str:reference>/investigation/enquiries/<int:enquiry_id>/", inv.update_enquiry, name="update-enquiry"),
    path("<str:reference>/investigation/solvability/", inv.solvability, name="solvability"),
    path("<str:reference>/investigation/suspects/", inv.link_suspect, name="link-suspect"),
    path("<str:reference>/investigation/decisions/", inv.record_decision, name="record-decision"),
    path("<str:reference>/investigation/reviews/", inv.record_review, name="record-review"),
    path("<str:reference>/investigation/update-plan/", inv.update_plan, name="update-plan"),
    path("<str:reference>/investigation/rights/", inv.enhanced_rights, name="enhanced-rights"),
    path("<str:reference>/investigation/updates/", inv.victim_update, name="victim-update"),
    path("<str:reference>/investigation/bureau-tasks/", inv.bureau_task, name="request-task"),
    path("<str:reference>/investigation/victim-decision/", inv.victim_decision, name="victim-decision"),
    path("<str:reference>/investigation/close/", inv.close, name="close-investigation"),
    path("<str:reference>/investigation/reopen/", inv.reopen, name="reopen"),
]
