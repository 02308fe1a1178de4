"""Fixtures for live chat tests: agents, a chat in the queue, the Redis channel layer."""

from __future__ import annotations

import secrets

import pytest

from chat import services


@pytest.fixture
def agent(make_user):
    return make_user("call-handler", username="chatagent1", first_name="Sam")


@pytest.fixture
def second_agent(make_user):
    return make_user("call-handler", username="chatagent2", first_name="Priya")


@pytest.fixture
def waiting_chat(db):
    return services.start_chat(
        topic="Someone keeps damaging my car at night", safe_to_contact="yes", name="Alex",
        contact_method="email", contact_detail="alex@example.org", idempotency_key=secrets.token_urlsafe(12),
    )


@pytest.fixture
def redis_layer(settings):
    """The real Redis server as the channel layer, in database 3 under a prefix no one else uses."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:6379/3", "socket_timeout": 30}],
                       "prefix": f"fc-chat-test-{secrets.token_hex(4)}"},
        }
    }
    channel_layers.backends.clear()
    yield settings.CHANNEL_LAYERS
    channel_layers.backends.clear()
