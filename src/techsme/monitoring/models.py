"""Programme monitoring: models."""
