"""Forms for neighbourhood policing pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from firstcontact.forms import GovUKDateInput, GovUKFormMixin

LONDON = ZoneInfo("Europe/London")


class PatrolForm(GovUKFormMixin, forms.Form):
    """An officer's record of one patrol in a hotspot cell of the team's plan."""

    cell = forms.ChoiceField(label="Hotspot patrolled", widget=forms.RadioSelect)
    date = forms.DateField(label="Date of patrol", widget=GovUKDateInput, help_text="For example, 27 3 2025")
    start_time = forms.TimeField(
        label="Start time", help_text="24-hour clock, for example 21:30", input_formats=["%H:%M", "%H.%M", "%H%M"]
    )
    minutes = forms.IntegerField(label="Minutes spent in the hotspot", min_value=1, max_value=720)
    note = forms.CharField(label="Note (optional)", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, plan: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].choices = [
            (row["cell"], f"{row['position']}. {row['location'] or row['cell']}") for row in plan
        ]
        self.fields["start_time"].error_messages["invalid"] = "Start time must be a time such as 21:30"
        self.fields["minutes"].error_messages.update(
            invalid="Minutes must be a whole number",
            min_value="Minutes must be 1 or more",
            max_value="Minutes must be 720 (12 hours) or fewer",
        )

    def started_at(self) -> datetime:
        """The patrol's start as an aware datetime, read as UK local time."""
        return datetime.combine(self.cleaned_data["date"], self.cleaned_data["start_time"], tzinfo=LONDON)
