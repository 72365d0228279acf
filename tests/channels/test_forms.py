from channels.forms import ReportForm


def error_codes(form, field="__all__"):
    return [error.code for error in form.errors.as_data().get(field, [])]


def test_report_with_secret_is_refused():
    form = ReportForm(
        {"contact": "+86 400 000 0000", "description": "abandon " * 11 + "about"}
    )
    assert error_codes(form) == ["secret"] and form["description"].value() == ""
