"""Default synonyms for two ways users describe a problem that the groups
of migration 0003 missed:

- a transfer sent on the wrong chain: "转错成ERC20" (sent as ERC20 by
  mistake), "转错网络", "充错链", and "选错了网络" as the articles say it;
- a code that never comes: "收不到" / "拿不到" (can't get it).

Installed like 0003's groups (``note="default"``); the wrong-network group
is extended only while it is still exactly as installed, and the reverse
puts it back and deletes the new group only while unchanged.
"""

from django.db import migrations

WRONG_NETWORK = "选错网络, 网络错误, 链错了, 转错链, wrong network, wrong chain"
WRONG_NETWORK_MORE = (
    "选错网络, 选错了网络, 网络错误, 链错了, 转错链, 转错网络, 转错成, 充错链, "
    "wrong network, wrong chain"
)
NEW_GROUPS = [
    "收不到, 拿不到, 接收不到, 获取不到, can't get, cannot get",
]


def install(apps, schema_editor):
    SynonymGroup = apps.get_model("articles", "SynonymGroup")
    SynonymGroup.objects.filter(terms=WRONG_NETWORK, note="default").update(
        terms=WRONG_NETWORK_MORE
    )
    SynonymGroup.objects.bulk_create(
        SynonymGroup(terms=terms, note="default") for terms in NEW_GROUPS
    )


def uninstall(apps, schema_editor):
    SynonymGroup = apps.get_model("articles", "SynonymGroup")
    SynonymGroup.objects.filter(terms__in=NEW_GROUPS, note="default").delete()
    SynonymGroup.objects.filter(terms=WRONG_NETWORK_MORE, note="default").update(
        terms=WRONG_NETWORK
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_search_rows_postgres")]

    operations = [migrations.RunPython(install, uninstall)]
