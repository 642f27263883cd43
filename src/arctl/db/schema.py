"""The schema revision this code expects, readable without importing Alembic.

Opening a ledger compares this id with `alembic_version` in one plain query; Alembic (slow to import)
is loaded only when they differ. A test checks that this equals the head of migrations/versions.
"""

SCHEMA_HEAD = "0007"
