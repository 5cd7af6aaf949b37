"""Celery: the app, its queues, and the thin tasks that call domain code."""
