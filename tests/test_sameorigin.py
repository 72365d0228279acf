"""Where a POST came from (helpcenter/sameorigin.py)."""

from django.test import RequestFactory, override_settings
from hypothesis import given, strategies as st

from helpcenter.sameorigin import post_origin

OWN = "http://testserver"
TRUSTED = "https://help.example.com"
headers = st.one_of(
    st.none(),
    st.sampled_from(
        ["same-origin", "same-site", "cross-site", "none", OWN, TRUSTED, "null"]
    ),
    st.text(max_size=40),
)


@given(site=headers, origin=headers)
@override_settings(CSRF_TRUSTED_ORIGINS=[TRUSTED])
def test_only_our_own_pages_are_believed(site, origin):
    meta = {}
    if site is not None:
        meta["HTTP_SEC_FETCH_SITE"] = site
    if origin is not None:
        meta["HTTP_ORIGIN"] = origin
    verdict = post_origin(RequestFactory().post("/", **meta))
    if site == "same-origin" or origin in (OWN, TRUSTED):
        assert verdict is True
    elif site is None and origin is None:
        assert verdict is None
    else:
        assert verdict is False
