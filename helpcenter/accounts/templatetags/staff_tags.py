"""Formatting for the staff pages (history lists, recent actions)."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

register = template.Library()


@register.filter
def history_field_label(record, name: str) -> str:
    """Return the translated label of the field ``name`` of a history
    ``record``'s model ("状态" rather than ``status``); the name if unknown.

    No query: the label comes from the model's metadata.
    """
    model = getattr(record, "instance_type", None)
    try:
        field = model._meta.get_field(name)
    except (AttributeError, FieldDoesNotExist):
        return name
    return str(capfirst(field.verbose_name))
