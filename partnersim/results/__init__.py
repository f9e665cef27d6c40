"""Results: streaming aggregation, the Results object, and run folders."""

from partnersim.results.summary import CandidateResult, Estimate, Results, wilson

__all__ = ["CandidateResult", "Estimate", "Results", "wilson"]
