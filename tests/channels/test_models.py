import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from channels.models import ChannelIdentifier, SupportChannel

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def channel(**fields):
    values = {"time_zone": "Asia/Shanghai", "open_days": "1234567"}
    values.update(fields)
    return SupportChannel(**values)


def at(year, month, day, hour, minute=0, tz=SHANGHAI):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


NINE_TO_TEN = {"opens_at": datetime.time(9), "closes_at": datetime.time(22)}


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at(2026, 11, 30, 8, 59), False),
        (at(2026, 11, 30, 9, 0), True),
        (at(2026, 11, 30, 21, 59), True),
        (at(2026, 11, 30, 22, 0), False),
    ],
)
def test_open_now_follows_hours_in_channel_time_zone(moment, expected):
    assert channel(**NINE_TO_TEN).is_open_at(moment) is expected


def test_open_now_converts_from_another_time_zone():
    # 21:30 in New York on Sunday is 10:30 on Monday in Shanghai.
    moment = at(2026, 11, 29, 21, 30, tz=NEW_YORK)
    assert channel(**NINE_TO_TEN).is_open_at(moment) is True


def test_open_now_uses_utc_moment_correctly():
    moment = datetime.datetime(2026, 11, 30, 14, 30, tzinfo=datetime.UTC)  # 22:30 CST
    assert channel(**NINE_TO_TEN).is_open_at(moment) is False


def test_channel_in_new_york_hours_is_closed_at_shanghai_noon():
    # Noon in Shanghai is 23:00 the day before in New York.
    moment = at(2026, 11, 30, 12)
    ny_channel = channel(time_zone="America/New_York", **NINE_TO_TEN)
    assert ny_channel.is_open_at(moment) is False


def test_weekday_channel_is_closed_on_saturday():
    saturday = at(2026, 11, 28, 10)
    assert channel(open_days="12345", **NINE_TO_TEN).is_open_at(saturday) is False


def test_overnight_hours_belong_to_the_day_they_start():
    overnight = channel(
        open_days="5", opens_at=datetime.time(22), closes_at=datetime.time(6)
    )
    friday_night = at(2026, 11, 27, 23)
    saturday_early = at(2026, 11, 28, 5)
    saturday_night = at(2026, 11, 28, 23)
    assert [
        overnight.is_open_at(friday_night),
        overnight.is_open_at(saturday_early),
        overnight.is_open_at(saturday_night),
    ] == [True, True, False]


def test_channel_without_hours_is_always_open():
    assert channel().is_open_at(at(2026, 11, 30, 3)) is True


def test_unavailable_or_missing_channel_is_never_open():
    down = channel(is_available=False)
    missing = channel(is_offered=False)
    moment = at(2026, 11, 30, 12)
    assert (down.is_open_at(moment), missing.is_open_at(moment)) == (False, False)


@pytest.mark.parametrize(
    "platform, value, fields, code",
    [
        ("web", "@CobaltWallet", {}, "platform"),
        ("email", "cobaltwallet.example", {}, "platform"),
        ("x", "Cobalt Wallet", {}, "platform"),
        ("x", "https://t.me/CobaltWallet", {}, "platform"),
        ("web", "javascript://cobaltwallet.example", {}, "platform"),
        ("x", "CobaltWallet", {"includes_subdomains": True}, "web_only"),
        ("wechat", "CobaltWallet", {"user_content_paths": "/u/"}, "web_only"),
        ("web", "community.example", {"user_content_paths": "u/"}, "path"),
    ],
)
def test_identifier_of_the_wrong_kind_is_refused(platform, value, fields, code):
    identifier = ChannelIdentifier(
        channel=channel(slug="x"), platform=platform, value=value, **fields
    )
    with pytest.raises(ValidationError) as raised:
        identifier.clean()
    errors = raised.value.error_dict.values()
    assert [error.code for field_errors in errors for error in field_errors] == [code]


@pytest.mark.parametrize(
    "platform, value",
    [
        ("web", "https://community.cobaltwallet.example"),
        ("web", "cobaltwallet.example"),
        ("email", "support@cobaltwallet.example"),
        ("x", "@CobaltWallet"),
        ("x", "https://x.com/CobaltWallet"),
        ("wechat", "CobaltWallet"),
        ("phone", "+86 400 000 0000"),
    ],
)
def test_identifier_of_the_right_kind_is_accepted(platform, value):
    identifier = ChannelIdentifier(
        channel=channel(slug="x"), platform=platform, value=value
    )
    identifier.clean()
    kinds = {"web": "domain", "email": "email", "phone": "phone"}
    assert identifier.as_official().contact.kind == kinds.get(platform, "handle")


@pytest.mark.parametrize(
    "days, english, chinese",
    [
        ("12345", "Mon–Fri", "周一至周五"),
        ("1234567", "every day", "每天"),
        ("67", "Sat, Sun", "周六、周日"),
        ("1357", "Mon, Wed, Fri, Sun", "周一、周三、周五、周日"),
        ("5671", "Mon, Fri–Sun", "周一、周五至周日"),
        ("", "", ""),
    ],
)
def test_open_days_read_as_ranges_in_both_languages(days, english, chinese):
    from django.utils import translation

    with translation.override("en"):
        assert channel(open_days=days).open_days_text == english
    with translation.override("zh-hans"):
        assert channel(open_days=days).open_days_text == chinese
