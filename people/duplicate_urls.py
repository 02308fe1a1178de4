from django.urls import path

from . import duplicate_views as views

app_name = "duplicates"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:candidate_id>/", views.pair, name="pair"),
    path("<int:candidate_id>/merge/", views.merge, name="merge"),
    path("<int:candidate_id>/reject/", views.reject, name="reject"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:merge_id>/undo/", views.undo, name="undo"),
]
