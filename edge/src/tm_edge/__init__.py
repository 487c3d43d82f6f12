"""TaskMaster edge: the pure-Python request pipeline of the Cloudflare Worker.

Nothing in this package imports `js`, `workers` or `pyodide`: the Worker's `entry.py` adapts the
runtime's request, bindings and fetch to the small interfaces in `ports.py`, and everything here
runs unchanged under CPython (unit tests) and Pyodide (the Worker).

One module per pipeline stage, in the order `pipeline.handle` runs them:
request_id → limits of the body → cors → keys → verdicts → access → limits → cache → forward
(signing) → headers. Errors are `problems.Problem`, turned into problem+json in one place.
"""
