from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.index, name="index"),
    path("crimes/<str:reference>/", views.crime_evidence, name="crime"),
    path("crimes/<str:reference>/add/", views.add_exhibit, name="add"),
    path("crimes/<str:reference>/files/", views.upload_create, name="upload-create"),
    path("crimes/<str:reference>/statement/", views.take_statement, name="statement"),
    path("crimes/<str:reference>/link/", views.send_link, name="link"),
    path("crimes/<str:reference>/package/", views.produce_package, name="produce-package"),
    path("files/<str:upload_id>/", views.upload, name="upload"),
    path("exhibits/<int:pk>/", views.exhibit_detail, name="exhibit"),
    path("exhibits/<int:pk>/destroy/", views.destroy_exhibit, name="destroy-exhibit"),
    path("exhibits/<int:pk>/content", views.exhibit_content, name="exhibit-content"),
    path("statements/<int:pk>/pdf", views.statement_pdf, name="statement-pdf"),
    path("packages/<int:pk>/", views.package_detail, name="package"),
    path("packages/<int:pk>/pdf", views.package_pdf, name="package-pdf"),
    path("packages/<int:pk>/zip", views.package_zip, name="package-zip"),
]
