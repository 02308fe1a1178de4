"""Live chat: models."""
