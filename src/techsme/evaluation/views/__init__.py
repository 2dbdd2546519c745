"""Pages of the evaluation process: enterprise side, agency side, public side."""
