"""The values a scenario is made of: durations and dates, their distributions, probabilities and counts.

Below everything that reads or runs a scenario: the stage kinds, the process
definitions and the scenario schema all build on these types.
"""
