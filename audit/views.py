from django.contrib.auth.decorators import login_required, permission_required
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET


@login_required
@permission_required("accounts.view_audit_log", raise_exception=True)
@require_GET
def search(request):
    return TemplateResponse(request, "audit/search.html", {})
