"""The values a scenario is made of: durations and dates, their distributions, probabilities and counts.

Below everything that reads or runs a scenario: the stage kinds, the process
definitions and the scenario schema all build on these types.
"""

# The duration distributions first: their union includes the elicited family, which is built on them.
from partnersim.values import distributions as distributions  # noqa: E402
