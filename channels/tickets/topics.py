"""The one table of what each kind of topic asks for.

Each kind lists its extra contact-form fields in the order the form shows
them, each with whether it is required. The form, the template's
``data-kinds`` hints and ``ticket_create`` all read this table.
"""

from channels.tickets.models import Priority, Topic

Kind = Topic.Kind

TOPIC_FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    Kind.TRANSFER: (
        ("network", True),
        ("tx_hash", False),
        ("address", False),
        ("asset", True),
        ("amount", False),
        ("occurred_at", True),
    ),
    Kind.LOGIN: (
        ("account", True),
        ("app_version", False),
        ("device", True),
        ("os", True),
    ),
    Kind.ERROR: (("app_version", True), ("device", True), ("os", True)),
    Kind.SECURITY: (("occurred_at", True),),
    Kind.GENERAL: (),
}
# Every extra field, in the order the form shows them.
EXTRA_FIELDS_IN_ORDER = (
    "network",
    "tx_hash",
    "address",
    "asset",
    "amount",
    "account",
    "app_version",
    "device",
    "os",
    "occurred_at",
)


def fields_for(kind: str) -> tuple[str, ...]:
    """Return the extra fields a topic of ``kind`` asks for."""
    return tuple(name for name, _required in TOPIC_FIELDS.get(kind, ()))


def required_for(kind: str) -> tuple[str, ...]:
    """Return the extra fields a topic of ``kind`` requires."""
    return tuple(name for name, required in TOPIC_FIELDS.get(kind, ()) if required)


def kinds_asking_for(name: str) -> tuple[str, ...]:
    """Return the kinds whose form asks for the extra field ``name``."""
    return tuple(kind for kind in TOPIC_FIELDS if name in fields_for(kind))


# A new ticket's priority by the kind of its topic: a stolen account cannot
# wait in line behind questions.
DEFAULT_PRIORITY = {Kind.SECURITY: Priority.HIGH}


def priority_for(kind: str) -> str:
    """Return the priority a new ticket of a topic of ``kind`` starts with."""
    return DEFAULT_PRIORITY.get(kind, Priority.NORMAL)
