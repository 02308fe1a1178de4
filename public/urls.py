from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.start, name="start"),
    path("fraud/", views.fraud, name="fraud"),
    path("call-us/", views.call_us, name="call-us"),
    path("question/<slug:step>/", views.question, name="question"),
    path("check/", views.check, name="check"),
    path("done/", views.done, name="done"),
    path("save/", views.save, name="save"),
    path("resume/<str:token>/", views.resume, name="resume"),
    path("track/", views.track, name="track"),
    path("track/code/", views.track_code, name="track-code"),
    path("track/status/", views.track_status, name="track-status"),
    path("track/review/", views.track_review, name="track-review"),
    path("business/", views.business_home, name="business-home"),
    path("business/sign-in/", views.business_sign_in, name="business-sign-in"),
    path("business/sign-out/", views.business_sign_out, name="business-sign-out"),
    path("business/set-password/<str:token>/", views.business_set_password, name="business-set-password"),
    path("business/add/<slug:kind>/", views.business_add, name="business-add"),
    path("business/remove/<int:number>/", views.business_remove, name="business-remove"),
    path("business/send/", views.business_submit, name="business-submit"),
    path("business/sent/", views.business_done, name="business-done"),
]
