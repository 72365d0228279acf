from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles.models import Article, ArticleVote
from articles.selectors import article_contacts_to_confirm
from channels import secrets

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


class UnlabelledHiddenInput(forms.HiddenInput):
    """A hidden input no label points to: the admin still prints the label
    of a hidden field, and a label for a hidden control is invalid HTML."""

    def id_for_label(self, id_):
        return None


class ArticleAdminForm(forms.ModelForm):
    """The article admin's form: every contact in the text is checked.

    A known-scam contact is refused outright; a contact that is not an
    official channel needs the "I confirm" box, which appears only then.
    """

    confirm_contacts = forms.BooleanField(
        label=_("I confirm these contacts are correct"),
        required=False,
        widget=UnlabelledHiddenInput,
    )

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)

    def clean(self):
        cleaned = super().clean()
        names = ("title", "summary", "body")
        texts = [cleaned.get(name) or "" for name in names]
        saved = [getattr(self.instance, name) or "" for name in names]
        found = article_contacts_to_confirm(
            texts=texts, saved_texts=saved if self.instance.pk else []
        )
        if found.scams:
            raise ValidationError(
                _(
                    "This article contains a known scam contact: %(contacts)s. "
                    "Remove it: no article may show it."
                ),
                code="scam_contact",
                params={"contacts": ", ".join(found.scams)},
            )
        if found.unconfirmed and not cleaned.get("confirm_contacts"):
            self.fields["confirm_contacts"].widget = forms.CheckboxInput()
            self.add_error(
                "confirm_contacts",
                ValidationError(
                    _(
                        "These contacts are not among our official channels: "
                        "%(contacts)s. Readers will take them for ours. Check each "
                        "one; if they are right, tick the box and save again."
                    ),
                    code="unofficial_contacts",
                    params={"contacts": ", ".join(found.unconfirmed)},
                ),
            )
        return cleaned
