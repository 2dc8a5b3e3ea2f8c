"""Rich rendering shared by CLI commands (tables, money for people, progress)."""
