"""Everything that knows SQL. Never touches the network."""
