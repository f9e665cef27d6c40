"""Grounded in history: fitting ally delays to the record, and back-testing past cases.

:mod:`~partnersim.history.sample` reads delays from a table,
:mod:`~partnersim.history.fit` fits the engine's ally model to them,
:mod:`~partnersim.history.snippet` writes the result as scenario YAML,
:mod:`~partnersim.history.observed` reads the real dates a history scenario
states, and :mod:`~partnersim.history.backtest` places them among the
simulated ones. The record itself ships in :mod:`partnersim.data`.
"""
