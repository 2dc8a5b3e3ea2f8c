"""Everything that knows Cursor's wire format. Never touches the database."""
