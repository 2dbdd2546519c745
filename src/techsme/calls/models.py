"""Funding calls: models."""
