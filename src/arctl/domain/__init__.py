"""Pure domain code: stdlib only, no database, no I/O."""
