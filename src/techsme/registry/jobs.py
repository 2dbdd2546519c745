"""Background jobs of the registry (discovered by ``core.jobs``): the import of a large file."""

from techsme.registry.importing import run_import_job

__all__ = ["run_import_job"]
