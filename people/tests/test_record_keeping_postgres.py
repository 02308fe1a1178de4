"""The same removal sent twice at the same moment removes once and logs once (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from audit.models import Action, AuditEntry
from people.models import PersonPhone
from people.services import add_phone, record_person, remove_phone

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_remove_at_the_same_moment_removes_once_without_an_error(call_handler):
    jean = record_person(actor=call_handler, given_name="Jean", family_name="Ashworth")
    add_phone(actor=call_handler, person=jean, number="01785 000 111", kind="home")
    wrong = add_phone(actor=call_handler, person=jean, number="07700 900 982", kind="mobile")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def click():
        try:
            start.wait()
            remove_phone(actor=call_handler, person=jean, phone_id=wrong.pk, reason="Her neighbour's",
                         form_token="one-form")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not PersonPhone.objects.filter(pk=wrong.pk).exists()
    assert AuditEntry.objects.filter(person_id=str(jean.pk), action=Action.ERASURE).count() == 1
