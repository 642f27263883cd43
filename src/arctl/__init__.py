"""arctl: accounts-receivable collections over a local SQLite (or PostgreSQL) ledger."""

__version__ = "0.1.0"
