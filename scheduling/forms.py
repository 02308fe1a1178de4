"""The filter on the scheduled jobs page."""

from __future__ import annotations

from django import forms

CHOOSE_A_JOB = "Choose a job from the list, or All jobs"


class RunFilterForm(forms.Form):
    job = forms.ChoiceField(label="Show runs of", required=False, error_messages={"invalid_choice": CHOOSE_A_JOB})

    def __init__(self, *args, job_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = [("", "All jobs"), *((name, name) for name in job_names)]
