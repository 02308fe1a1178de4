from django.urls import path

from . import staff_views

app_name = "public-staff"

urlpatterns = [
    path("", staff_views.series, name="series"),
    path("accounts/", staff_views.accounts, name="accounts"),
    path("accounts/<int:pk>/", staff_views.account, name="account"),
    path("accounts/<int:pk>/sites/", staff_views.add_site, name="add-site"),
    path("accounts/<int:pk>/invite/", staff_views.invite, name="invite"),
]
