"""ASGI entry point: HTTP as Django serves it, and WebSockets for live chat (Channels)."""

import os

from firstcontact.admission import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")

# Django first (with the admission gate, MAX_CONCURRENT_REQUESTS): the routing below imports
# models, which need the apps loaded.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from audit import sealer  # noqa: E402
from chat.routing import websocket_urlpatterns  # noqa: E402

if settings.AUDIT_SEAL_IN_BACKGROUND:
    # Each server process chains staged audit entries in a thread of its own (docs/audit.md).
    sealer.start()

application = ProtocolTypeRouter({
    "http": django_application,
    # Origin checked against ALLOWED_HOSTS: another site's page cannot open a chat in a visitor's session.
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
