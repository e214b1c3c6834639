"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from contest.factory import create_app

app = create_app()
