import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from helpcenter.accounts.services import DEMO_PASSWORD, DEMO_USERNAME, demo_staff_ensure
from tests.test_settings import _settings_in_subprocess


def _deploy_messages(check_id):
    messages = run_checks(include_deployment_checks=True)
    return [message for message in messages if message.id == check_id]


def _deploy_check_ids():
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_deploy_check_fails_while_the_demo_password_works():
    demo_staff_ensure(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    [error] = _deploy_messages("accounts.E001")
    assert error.is_serious()
    assert "demo" in error.msg
    assert DEMO_PASSWORD not in f"{error.msg} {error.hint}"
    with pytest.raises(SystemCheckError, match="accounts.E001"):
        call_command("check", "--deploy")


@pytest.mark.django_db
def test_deploy_check_fires_for_any_staff_account_with_the_demo_password(
    django_user_model,
):
    django_user_model.objects.create_user(
        username="lazy-admin", password=DEMO_PASSWORD, is_staff=True
    )
    [error] = _deploy_messages("accounts.E001")
    assert "lazy-admin" in error.msg


@pytest.mark.django_db
def test_deploy_check_passes_once_the_password_is_changed():
    user, _created = demo_staff_ensure(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    user.set_password("a-long-new-staff-password")
    user.save()
    encoded = user.password
    assert "accounts.E001" not in _deploy_check_ids()
    user.refresh_from_db()
    assert user.password == encoded  # the check wrote nothing


@pytest.mark.django_db
def test_deploy_check_ignores_a_deactivated_demo_account():
    user, _created = demo_staff_ensure(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    user.is_active = False
    user.save()
    assert "accounts.E001" not in _deploy_check_ids()


@pytest.mark.django_db
def test_deploy_check_is_not_part_of_the_everyday_checks():
    demo_staff_ensure(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    assert "accounts.E001" not in {m.id for m in run_checks()}


@pytest.mark.django_db
def test_deploy_check_warns_while_two_factor_is_off(settings):
    assert "accounts.W001" in _deploy_check_ids()
    settings.HELPCENTER_REQUIRE_2FA = True
    assert "accounts.W001" not in _deploy_check_ids()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "True"),
        ({"DJANGO_DEBUG": "1"}, "False"),
        ({"HELPCENTER_REQUIRE_2FA": "0"}, "False"),
        ({"DJANGO_DEBUG": "1", "HELPCENTER_REQUIRE_2FA": "1"}, "True"),
    ],
)
def test_two_factor_is_required_unless_debug_or_switched_off(env, expected):
    assert _settings_in_subprocess(env, "settings.HELPCENTER_REQUIRE_2FA") == expected
