"""Business rules as plain functions. Views parse requests, call these, render."""
