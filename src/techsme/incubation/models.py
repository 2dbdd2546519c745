"""Incubation and talent: models."""
