from django.urls import path

from . import public_views

app_name = "evidence-public"

urlpatterns = [
    path("sent/", public_views.done, name="done"),
    path("<str:token>/", public_views.upload_page, name="page"),
    path("<str:token>/files/", public_views.upload_create, name="upload-create"),
    path("<str:token>/files/<str:upload_id>/", public_views.upload, name="upload"),
]
