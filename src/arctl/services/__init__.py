"""Use cases: a Database and plain arguments in, domain records or a Report out; one transaction each."""
