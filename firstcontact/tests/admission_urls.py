"""URLs for the admission tests: a slow view that records how many run at once, and a quick one."""

import threading
import time

from django.http import HttpResponse
from django.urls import path

inside = {"now": 0, "most": 0}
_lock = threading.Lock()


def slow(request):
    with _lock:
        inside["now"] += 1
        inside["most"] = max(inside["most"], inside["now"])
    time.sleep(float(request.GET.get("seconds", "0.2")))
    with _lock:
        inside["now"] -= 1
    return HttpResponse("done")


def quick(request):
    return HttpResponse("ok")


urlpatterns = [path("slow", slow), path("healthz", quick)]
