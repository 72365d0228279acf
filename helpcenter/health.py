"""``/healthz``: is this app server fit to take traffic?

django-health-check runs the checks concurrently and answers 200 when all
pass, 500 naming the failed ones otherwise; JSON for ``Accept:
application/json`` or ``?format=json``, plain text for ``text/plain``, a
small HTML table for a browser. Every answer is marked never to be cached.
The library checks the database (``SELECT 1``), the cache (a set and get of
a fresh key) and the storage of uploads (a file saved, read and deleted);
``Migrations`` below adds the one it lacks.
"""

import dataclasses
import functools

from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@functools.cache
def _migrations_on_disk() -> dict[tuple[str, str], frozenset]:
    """Every migration this code ships, each with the migrations it replaces
    (a squash), read once per process: the code cannot change under it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        key: frozenset(loader.graph.nodes[key].replaces or ())
        for key in loader.graph.nodes
    }


def unapplied_migrations(alias: str = "default") -> list[str]:
    """Return ``app.name`` of each migration of the code that the database
    has not applied, sorted; a squash counts as applied when everything it
    replaces is. One query; DatabaseError when the database has no migration
    table yet."""
    recorder = MigrationRecorder(connections[alias])
    applied = set(recorder.migration_qs.values_list("app", "name"))
    missing = [
        key
        for key, replaces in _migrations_on_disk().items()
        if key not in applied and not (replaces and replaces <= applied)
    ]
    return sorted(f"{app}.{name}" for app, name in missing)


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Fails while the database lacks a migration this code needs: the
    server would answer with errors on whatever the migration changes."""

    alias: str = "default"

    def run(self):
        try:
            missing = unapplied_migrations(self.alias)
        except DatabaseError as error:
            raise ServiceUnavailable("Cannot read the applied migrations") from error
        finally:
            # The check runs in a worker thread: close what it opened there.
            connections[self.alias].close()
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise ServiceUnavailable(f"{len(missing)} unapplied: {shown}")


healthz = HealthCheckView.as_view(
    checks=[
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        Migrations,
    ],
    # The library's page has an inline stylesheet, which the site's
    # Content-Security-Policy refuses; this one uses the site's.
    template_name="health_check/healthz.html",
)
