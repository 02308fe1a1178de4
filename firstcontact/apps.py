from django.apps import AppConfig


class FirstContactConfig(AppConfig):
    name = "firstcontact"
    verbose_name = "FirstContact"
