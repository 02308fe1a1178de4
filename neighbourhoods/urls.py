from django.urls import path

from . import views

app_name = "neighbourhoods"

urlpatterns = [
    path("", views.team_list, name="teams"),
    path("<int:team_id>/", views.team_hotspots, name="team"),
    path("<int:team_id>/patrols/", views.log_patrol, name="log-patrol"),
    path("<int:team_id>/plan.csv", views.plan_csv, name="plan-csv"),
    path("<int:team_id>/plan.geojson", views.plan_geojson, name="plan-geojson"),
    path("<int:team_id>/briefing.pdf", views.briefing_pdf, name="briefing-pdf"),
]
