"""Scopes an API token can hold, each with the sentence an administrator reads when issuing one."""

SCOPES: dict[str, str] = {
    "telephony:write": "Send call events (offered, answered, abandoned, transferred) from the telephony platform",
    "contacts:read": "Read contacts and their status",
    "contacts:write": "Create contacts (for example from an online-report gateway)",
    "reports:write": "Submit online and business reports from a gateway",
    "demand:read": "Read performance figures and forecasts",
}
