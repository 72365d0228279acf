from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import ArticleVote


# Django's default message repeats the posted value ("Select a valid choice.
# <value> is not one of the available choices."), which would print
# attacker-chosen text as the site's own words.
INVALID_CHOICE = {"invalid_choice": _("Please choose one of the listed options.")}


class VoteForm(forms.Form):
    """The "Was this helpful?" widget: a yes/no, then an optional reason."""

    helpful = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], error_messages=INVALID_CHOICE
    )
    reason = forms.ChoiceField(
        label=_("What was wrong?"),
        choices=[("", "")] + ArticleVote.Reason.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages=INVALID_CHOICE,
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_comment(self):
        return self.cleaned_data["comment"].replace("\x00", "").strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == ArticleVote.Reason.OTHER and not cleaned.get(
            "comment"
        ):
            self.add_error(
                "comment",
                forms.ValidationError(
                    _("Please tell us in a few words what was wrong."),
                    code="comment_required",
                ),
            )
        return cleaned
