"""The JSON API, ``/api/v1/``: one NinjaAPI; each app adds its Router.

The wallet app's in-app support reads articles, checks contacts and files
and follows tickets through it. Endpoints are as thin as views: they call
the same forms, selectors and services as the pages. Every error answers
in the shape of ``helpcenter.api_errors``.
"""

from csp.decorators import csp_update
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from articles.api import router as articles_router
from channels.api import router as channels_router
from channels.tickets.api import router as tickets_router
from helpcenter.api_errors import ALL, ApiError, error_response

api = NinjaAPI(
    title="Cobalt Help Center API",
    version="1",
    description=(
        "Articles, search, the official-contact checker and support tickets, "
        "for the wallet app's in-app support. Errors always read "
        '`{"errors": {field: [{"code", "message"}]}}`; messages follow '
        "`Accept-Language` (zh-hans or en)."
    ),
    urls_namespace="api-v1",
    # validatorUrl: Swagger UI would otherwise fetch a badge from
    # validator.swagger.io; the docs make no request to another host.
    docs=Swagger(settings={"validatorUrl": None}),
    # Swagger UI's stylesheet draws its icons from data: images; only the
    # docs page allows them (settings.CONTENT_SECURITY_POLICY).
    docs_decorator=csp_update({"img-src": ["data:"]}),
)
api.add_router("", articles_router)
api.add_router("", channels_router)
api.add_router("", tickets_router)

NOT_FOUND = _("Not found.")


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return error_response(exc)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(ApiError.one(404, "not_found", gettext(NOT_FOUND)))


@api.exception_handler(AuthenticationError)
def _no_token(request, exc):
    # A missing or wrong ticket token reads exactly like an unknown
    # reference, so the answer tells nothing about which tickets exist.
    return error_response(ApiError.one(404, "not_found", gettext(NOT_FOUND)))


@api.exception_handler(ValidationError)
def _invalid_params(request, exc):
    errors: dict = {}
    for item in exc.errors:
        location = [part for part in item.get("loc", ()) if isinstance(part, str)]
        field = location[-1] if len(location) > 1 else ALL
        if item.get("type") == "missing":
            entry = ("required", gettext("This field is required."))
        else:
            entry = ("invalid", gettext("Enter a valid value."))
        errors.setdefault(field, []).append(entry)
    return error_response(ApiError(400, errors))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return error_response(ApiError.one(exc.status_code, "invalid", exc.message))
