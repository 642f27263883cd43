"""Readers of outside files. They return rows or records and raise InvalidInput naming FILE:ROW: FIELD."""
