from functools import partial

from django.conf import settings


def service(request):
    """Names and switches every page template needs."""
    return {
        "service_name": settings.SERVICE_NAME,
        "force_name": settings.FORCE_NAME,
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "demo_mode": settings.DEMO,
    }


def staff_navigation(request):
    """The sections this member of staff may open, for the navigation (one list: accounts.selectors).

    Worked out only if a template shows it (the template calls it): fragments such as the history
    panel, fetched many times a minute, never show the navigation and so never pay for its
    permission checks.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_navigation": []}
    from accounts.selectors import navigation_for

    return {"staff_navigation": partial(navigation_for, user)}
