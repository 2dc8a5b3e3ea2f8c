"""Views: filters in, typed figures out, named as in the money vocabulary (``docs/money.md``).

Reads only (through ``store/``); every face renders these and computes nothing itself.
"""
