"""Forms for signing in."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm

from firstcontact.forms import GovUKFormMixin


class SignInForm(GovUKFormMixin, AuthenticationForm):
    """Username and password, with errors that never say which of the two was wrong.

    Saying "no such user" would let anyone find out who works here (OWASP authentication guidance).
    """

    error_messages = {
        "invalid_login": (
            "Enter a correct username and password. Both are case-sensitive. "
            "After several wrong attempts the account is locked for a while."
        ),
        "inactive": "This account is switched off. Ask an administrator to switch it back on.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # Autofocus skips the page's heading for screen-reader users; GOV.UK asks us not to use it.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update({"spellcheck": "false", "autocapitalize": "none"})
