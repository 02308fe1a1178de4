"""ASGI entry point: HTTP now, WebSockets (live chat) when the chat app is added."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")

application = get_asgi_application()
