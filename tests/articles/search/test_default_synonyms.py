"""Migration 0014: more default synonym groups, reversible while unchanged."""

import importlib

from django.apps import apps as django_apps

from articles.search.models import SynonymGroup

more = importlib.import_module("articles.migrations.0014_more_default_synonyms")


def test_migration_installed_the_groups(db):
    assert SynonymGroup.objects.filter(terms=more.WRONG_NETWORK_MORE).exists()
    assert not SynonymGroup.objects.filter(terms=more.WRONG_NETWORK).exists()
    for terms in more.NEW_GROUPS:
        assert SynonymGroup.objects.filter(terms=terms, note="default").exists()


def test_reverse_restores_the_group_and_keeps_staff_edits(db):
    edited = SynonymGroup.objects.get(terms=more.NEW_GROUPS[0])
    edited.terms += ", 收不了"
    edited.save()
    more.uninstall(django_apps, None)
    assert SynonymGroup.objects.filter(terms=more.WRONG_NETWORK).exists()
    assert SynonymGroup.objects.filter(pk=edited.pk).exists()  # edited: kept
    more.install(django_apps, None)
    assert SynonymGroup.objects.filter(terms=more.WRONG_NETWORK_MORE).count() == 1
