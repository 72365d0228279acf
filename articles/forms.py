from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import ArticleVote
from channels import secrets


class VoteForm(forms.Form):
    """The "Was this helpful?" widget: a yes/no, then an optional reason."""

    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    reason = forms.ChoiceField(
        label=_("What was wrong?"),
        choices=[("", "")] + ArticleVote.Reason.choices,
        required=False,
        widget=forms.RadioSelect,
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
        secrets.refuse_in_form(self, ("comment",))
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
