"""WebSocket routes for live chat (mounted by firstcontact/asgi.py)."""

from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/chat/", consumers.ChatConsumer.as_asgi()),
    path("ws/staff/chat/<int:chat_id>/", consumers.AgentChatConsumer.as_asgi()),
]
