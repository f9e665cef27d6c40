"""Results: streaming aggregation, the Results object, and run folders."""

from partnersim.results.summary import CandidateResult, Estimate, Results
from partnersim.stats import wilson

__all__ = ["CandidateResult", "Estimate", "Results", "wilson"]
