"""Reports: the figures of the startup ecosystem, the dashboard's charts and
the yearly report's files, computed from plain data."""
