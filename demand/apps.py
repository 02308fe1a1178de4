from django.apps import AppConfig


class DemandConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "demand"
    verbose_name = "Demand: call events, performance, forecasts and staffing"
