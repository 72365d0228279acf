"""Keep the search index in step with articles and synonyms.

Every article is indexed whatever its status: visibility (published, and
the publish time has come) is applied at query time, so publishing,
unpublishing, archiving and scheduled publication need no index work
beyond the save that already happens.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.models import Article
from articles.search import get_backend, query
from articles.search.models import SynonymGroup


def article_saved(sender, instance, raw=False, **kwargs):
    """Re-index an article after any save (fixtures loaded raw are skipped)."""
    if not raw:
        get_backend().index([instance])


def article_deleted(sender, instance, **kwargs):
    """Drop a deleted article from the index."""
    get_backend().remove([instance.pk])


def article_tags_changed(sender, instance, action, reverse, **kwargs):
    """Re-index an article whose tags changed (tags are a weighted column)."""
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(
        instance, Article
    ):
        get_backend().index([instance])


def synonyms_changed(sender, **kwargs):
    """Make the next search in every process use the edited synonyms."""
    query.bump_generation()


def connect() -> None:
    """Connect the receivers (called once from ``ArticlesConfig.ready``)."""
    post_save.connect(
        article_saved, sender=Article, dispatch_uid="search-article-saved"
    )
    post_delete.connect(
        article_deleted, sender=Article, dispatch_uid="search-article-deleted"
    )
    m2m_changed.connect(
        article_tags_changed,
        sender=Article.tags.through,
        dispatch_uid="search-article-tags",
    )
    post_save.connect(
        synonyms_changed, sender=SynonymGroup, dispatch_uid="search-synonyms-saved"
    )
    post_delete.connect(
        synonyms_changed, sender=SynonymGroup, dispatch_uid="search-synonyms-deleted"
    )
