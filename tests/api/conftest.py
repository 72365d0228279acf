import pytest

from channels.tickets import services
from channels.tickets.models import Topic
from tests.channels.conftest import official_channels  # noqa: F401  (fixture)
from tests.factories import make_category, make_topic

Kind = Topic.Kind


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def topics(db):
    """One topic per kind, keyed by kind, each in a category of its own."""
    return {
        kind: make_topic(
            slug=f"topic-{kind}", kind=kind, category=make_category(slug=kind)
        )
        for kind in Kind.values
    }


def ticket_json(topic, **overrides) -> dict:
    """A valid JSON body for ``POST /api/v1/tickets`` (no extra fields)."""
    data = {
        "category": topic.slug,
        "name": "Li Lei",
        "email": "li.lei@example.com",
        "subject": "Question about my wallet",
        "message": "I cannot find the export button in settings.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def receipt(topics):
    """A ticket made through the service, with its token."""
    return services.ticket_create(
        topic=topics[Kind.GENERAL],
        email="li.lei@example.com",
        subject="Where is the export button?",
        message="I cannot find it.",
        language="en",
        submission_key="a" * 32,
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
