import pytest
from django.db import connection

from articles.search import BACKENDS, get_backend


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, db, settings):
    """Each search backend, on the database that can run it."""
    if connection.vendor != request.param:
        pytest.skip(f"the {request.param} backend needs a {request.param} database")
    settings.HELPCENTER_SEARCH_BACKEND = BACKENDS[request.param]
    return get_backend()
