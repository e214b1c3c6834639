"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Threads let a worker keep serving while others wait on PostgreSQL; measured on
a 2-core machine (bench/bench_scoring.py), 2 workers × 2 threads per core pair
did best. Override with GUNICORN_WORKERS / GUNICORN_THREADS."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
keepalive = 30
timeout = 60
graceful_timeout = 30
# Uploads are checked in memory (at most 21 MB per request, see config.py).
limit_request_line = 8190
accesslog = None  # the app logs each request with its request id (LOG_REQUESTS)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
