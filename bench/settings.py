"""Settings for the load benchmark only: the site's settings, plus the floor.

``bench/load_bench.py`` serves the site with ``DJANGO_SETTINGS_MODULE=bench.settings``
so that the same server also answers ``/floor/``, a trivial Django view that
shows what Django itself can do on the machine. The site never has that view.
"""

from helpcenter.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
