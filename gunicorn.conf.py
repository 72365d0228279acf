"""gunicorn settings for production, the load benchmark and the live-server tests.

    gunicorn -c gunicorn.conf.py                      # 127.0.0.1:8000, 2×cores+1 workers
    GUNICORN_BIND=0.0.0.0:8000 GUNICORN_WORKERS=4 gunicorn -c gunicorn.conf.py

Every value can be changed by its environment variable; the README's
configuration table lists them. Settings come from DJANGO_* / HELPCENTER_*
variables as for any other command.
"""

import multiprocessing
import os

wsgi_app = "helpcenter.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer than this is killed and logged; the slowest
# legitimate request (a ticket with three 5 MB screenshots) takes well under it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10_000))
max_requests_jitter = max_requests // 10
# The app logs each request itself (status-link tokens cut out); gunicorn's
# own access log would repeat it, raw paths and tokens included.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
# Addresses of the load balancers allowed to set X-Forwarded-Proto/-For.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def worker_exit(server, worker):
    """A worker that stops (restart after max_requests, shutdown) sends the
    page views it still holds (articles.services.article_record_view)."""
    from articles.services import article_send_buffered_views

    article_send_buffered_views()
