"""WSGI entry point: `gunicorn application:app`."""

from app import create_app

app = create_app()
