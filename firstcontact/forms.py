from django.forms.renderers import TemplatesSetting


class GovUKFormRenderer(TemplatesSetting):
    """Renders every form GOV.UK-shaped: error summary first, then each field with its label, hint and error."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
