"""Shared PDF helpers (fonts, text hygiene) for certificates and reports.

Pure code: plain data in, PDF bytes out; nothing here knows about Flask or the database.
"""
