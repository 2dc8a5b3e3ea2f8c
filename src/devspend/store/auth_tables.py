"""Web users, sessions and API tokens (owned by the web app issue)."""
