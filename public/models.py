"""Public reporting: models."""
