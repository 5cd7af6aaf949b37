"""Gunicorn settings for the API (`gunicorn -c gunicorn_config.py application:app`).

Chosen by measurement (`make bench`, benchmarks/RESULTS.md): on 2 cores, one process more than there are cores, each
with 4 threads, accepted the most notifications per second with the lowest p99. Each request spends most of its time
waiting on PostgreSQL and Redis, so a few threads per process keep the cores busy; more threads only add GIL
contention, and more processes add database connections and memory without adding cores.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '6011')}"
workers = int(os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) + 1)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30
timeout = 30
graceful_timeout = 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
