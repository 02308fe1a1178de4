from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("jobs/", views.jobs, name="jobs"),
]
