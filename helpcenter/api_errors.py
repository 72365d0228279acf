"""The one error shape of ``/api/v1/``: ``{"errors": {field: [{code, message}]}}``.

Every refusal of the JSON API goes through here, so a client reads one
shape whatever failed: a form field (its ``ValidationError`` code), a query
parameter, a missing ticket or a rate limit. ``field`` is ``"__all__"`` for
what concerns the request as a whole. Messages are in the language of the
request (``Accept-Language``); codes never change with it.
"""

from django.http import JsonResponse
from ninja import Schema

ALL = "__all__"
# Form codes renamed for the API, where a client branches on them.
CODE_NAMES = {"secret": "secret_detected", "tx_hash": "invalid_tx_hash"}


class ErrorItem(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    errors: dict[str, list[ErrorItem]]


class ApiError(Exception):
    """Raised by an endpoint to answer with the error shape and ``status``."""

    def __init__(self, status: int, errors: dict, *, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def one(cls, status: int, code: str, message, *, field: str = ALL, **kwargs):
        return cls(status, {field: [(code, str(message))]}, **kwargs)


def error_body(errors: dict) -> dict:
    """Return the JSON body for ``{field: [(code, message), ...]}``."""
    return {
        "errors": {
            field: [{"code": code, "message": str(message)} for code, message in items]
            for field, items in errors.items()
        }
    }


def error_response(error: ApiError) -> JsonResponse:
    response = JsonResponse(
        error_body(error.errors),
        status=error.status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def form_errors(form) -> dict:
    """Return a bound, invalid form's errors as ``{field: [(code, message)]}``.

    Read from ``form.errors.as_data()``, so the codes are the forms' own
    ``ValidationError`` codes (a few renamed, see ``CODE_NAMES``).
    """
    return {
        field: [
            (CODE_NAMES.get(error.code or "invalid", error.code or "invalid"), message)
            for error in errors
            for message in error.messages
        ]
        for field, errors in form.errors.as_data().items()
    }
