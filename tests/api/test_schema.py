"""The OpenAPI document, the interactive docs, and fuzzing of every endpoint."""

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_article

MAX_EXAMPLES = 15
EXPECTED_PATHS = {
    "/api/v1/categories",
    "/api/v1/articles",
    "/api/v1/articles/{slug}",
    "/api/v1/articles/{slug}/votes",
    "/api/v1/search",
    "/api/v1/channels",
    "/api/v1/verify",
    "/api/v1/ticket-topics",
    "/api/v1/tickets",
    "/api/v1/tickets/{reference}",
    "/api/v1/tickets/{reference}/replies",
    "/api/v1/tickets/{reference}/close",
    "/api/v1/tickets/{reference}/rating",
}


def test_openapi_document_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert set(document["paths"]) == EXPECTED_PATHS
    create = document["paths"]["/api/v1/tickets"]["post"]
    assert set(create["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert document["components"]["securitySchemes"] == {
        "TicketToken": {"type": "http", "scheme": "bearer"}
    }


def test_docs_load_only_this_sites_static_files(client):
    response = client.get(reverse("api-v1:openapi-view"))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"https?://", html) == []
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert "ninja/swagger-ui-bundle.js" in assets
    assert all(finders.find(asset) for asset in assets)


def test_api_sends_no_cors_headers(client, db):
    response = client.get(
        reverse("api-v1:channel_list"), HTTP_ORIGIN="https://evil.example"
    )

    assert response.status_code == 200
    assert not [
        name for name in response.headers if name.lower().startswith("access-control")
    ]


@pytest.fixture
def api_schema(db, article, topics, official_channels):
    make_article(category=article.category, slug="english", language="en")
    # As Django's test client does: the end of a request must not close the
    # test's database connection (and its transaction).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_finds_no_server_error_and_no_schema_break(api_schema, mode):
    """Every operation, valid and invalid input: a bounded number of cases
    each, so the suite stays fast; a failure prints the request to replay."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    statuses = []
    unsatisfiable = []

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call()
            case.validate_response(response, checks=CHECKS)
            statuses.append(response.status_code)

        try:
            run()
        except Unsatisfiable:
            # Nothing to get wrong: an operation without parameters or body
            # has no invalid input.
            assert mode == GenerationMode.NEGATIVE and not operation.path_parameters
            unsatisfiable.append(operation.path)

    assert len(operations) == len(EXPECTED_PATHS) and statuses
    assert max(statuses) < 500
