"""Finance: models."""
