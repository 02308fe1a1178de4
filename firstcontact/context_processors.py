from django.conf import settings


def service(request):
    """Names and switches every page template needs."""
    return {
        "service_name": settings.SERVICE_NAME,
        "force_name": settings.FORCE_NAME,
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "demo_mode": settings.DEMO,
    }
