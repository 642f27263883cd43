"""Storage: the one database opener, the ORM models, queries and migrations."""
