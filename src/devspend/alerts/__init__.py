"""Budgets, forecasts, anomalies and the alerts they raise, sent through Apprise channels.

``check.run_check`` is the one entry point the faces call (``devspend alerts check``,
after ``devspend sync``, after each scheduled sync): it reads the summaries once,
evaluates every rule, records what is new (once per rule, scope and period/day) and
delivers it. The rules themselves (``forecast``, ``anomalies``, ``limits``,
``budgets``) are pure functions over series, so the backtest in ``bench/`` runs them
without a database.
"""
