"""File renderers for Reports (csv, json) and atomic writes. The terminal table lives in cli/_output.py."""
