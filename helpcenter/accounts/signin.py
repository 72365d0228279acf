"""The rules of staff sign-in, read by the admin site, its forms and checks."""

import ipaddress

from django.conf import settings

from channels.ratelimit import client_ip


def two_factor_required() -> bool:
    """True when staff need a verified TOTP code to use the admin."""
    return settings.HELPCENTER_REQUIRE_2FA


def lockout_client_ip(request) -> str | None:
    """Return the client address that failed sign-ins are counted against.

    The address is the one the trusted proxies report (see
    ``HELPCENTER_TRUSTED_PROXIES``), so the load balancer's own address never
    locks every staff member out. An IPv6 client usually holds a whole /64,
    so its attempts count against that /64, written as its first address; an
    IPv4-mapped IPv6 address counts as the IPv4 address.
    """
    raw = client_ip(request)
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Address(int(address) >> 64 << 64))
    return str(address)
