"""Celery entry point: `celery -A run_celery worker|beat`."""

from app import create_app

application = create_app()
celery = application.extensions["celery"]
