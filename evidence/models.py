"""Evidence: models."""
