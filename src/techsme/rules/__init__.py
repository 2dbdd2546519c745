"""techsme.rules — the law as code: dated, cited parameters; dated formulas over whole columns; explanations.

Pure Python (numpy, polars, pyyaml, jsonschema, python-stdnum); never imports Django.
"""

from techsme.rules import variables as _variables  # noqa: F401  (registers the variables)
from techsme.rules.assessment import Assessment, assess_columns, assess_frame, assess_records
from techsme.rules.catalogue import parameter_listing, parameters, variables_metadata
from techsme.rules.cli import assess_main, reform_main
from techsme.rules.engine import Simulation, evaluate
from techsme.rules.errors import InputFileError, ParameterFileError, RulesError, UnknownParameterError
from techsme.rules.explain import SCHEMA_ID, explain_row, explanation_schema
from techsme.rules.facts_io import read_facts, write_results
from techsme.rules.reforms import apply_reform

__all__ = [
    "SCHEMA_ID",
    "Assessment",
    "InputFileError",
    "ParameterFileError",
    "RulesError",
    "Simulation",
    "UnknownParameterError",
    "apply_reform",
    "assess_columns",
    "assess_frame",
    "assess_main",
    "assess_records",
    "evaluate",
    "explain_row",
    "explanation_schema",
    "parameter_listing",
    "parameters",
    "read_facts",
    "reform_main",
    "variables_metadata",
    "write_results",
]
