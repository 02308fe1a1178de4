"""Scopes an API token can hold, each with the sentence an administrator reads when issuing one.

A token acts for a system, not a person, so it holds scopes rather than
permissions. A member of staff signed in to the API acts on their own
permissions: ``SCOPE_PERMISSIONS`` names the permission that stands for each
scope, so the same endpoint admits both and refuses both the same way.
"""

SCOPES: dict[str, str] = {
    "telephony:write": "Send call events (offered, answered, abandoned, transferred) from the telephony platform",
    "contacts:read": "Read contacts and their status",
    "contacts:write": "Create contacts (for example from an online-report gateway)",
    "reports:write": "Submit online and business reports from a gateway",
    "demand:read": "Read performance figures and forecasts",
    "people:read": "Search the person index and read people's records (each read logged with its reason)",
    "cad:write": "Send incident attendance times (received, dispatched, arrived) from command and control",
}

# scope -> the permission codename (accounts.permissions) a signed-in member of staff needs instead.
SCOPE_PERMISSIONS: dict[str, str] = {
    "telephony:write": "manage_demand",
    "contacts:read": "take_contacts",
    "contacts:write": "take_contacts",
    "reports:write": "take_contacts",
    "demand:read": "view_demand",
    "people:read": "search_people",
    "cad:write": "manage_demand",
}
