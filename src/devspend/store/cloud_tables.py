"""Imported cloud costs (FOCUS) and people/team allocation (owned by the FOCUS issue)."""
