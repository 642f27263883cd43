"""Reports: pure functions from ledger records to a Report (domain.report)."""
