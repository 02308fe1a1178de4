from django.urls import path

from . import views

app_name = "demand"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("performance.csv", views.performance_csv, name="performance-csv"),
    path("forecast/", views.forecast, name="forecast"),
    path("staffing/", views.staffing_plan, name="staffing"),
    path("patterns/", views.seasonal, name="seasonal"),
    path("live/", views.live_board, name="live"),
    path("settings/", views.queue_settings_list, name="settings"),
    path("settings/<str:queue>/", views.queue_settings_edit, name="settings-edit"),
]
