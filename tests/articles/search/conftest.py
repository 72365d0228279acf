import pytest
from django.db import connection

from articles.search import BACKENDS, get_backend


@pytest.fixture(params=["sqlite", "postgresql", "reference"])
def backend(request, db, settings):
    """Each search backend (cache wrapper included), on the database that can
    run it; the reference backend runs on any."""
    if request.param != "reference" and connection.vendor != request.param:
        pytest.skip(f"the {request.param} backend needs a {request.param} database")
    settings.HELPCENTER_SEARCH_BACKEND = BACKENDS[request.param]
    backend = get_backend()
    backend.clear_cache()
    return backend


@pytest.fixture
def engine(backend):
    """The backend without its cache wrapper: limits are set on it."""
    return backend.backend
