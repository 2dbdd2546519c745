"""Technology transfer: models."""
