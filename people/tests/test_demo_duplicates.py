"""The demo force carries a few persons entered twice, with real slips, for the duplicate queue to show."""

from __future__ import annotations

import numpy as np

from firstcontact.demo.generate import DUPLICATE_SHARE, MembershipTable, PersonTable, _plant_duplicates
from people.matching import fold, name_similarity
from people.nicknames import are_nicknames


def test_a_few_persons_become_second_records_of_others_with_slips():
    n = 2000
    rng = np.random.default_rng(3)
    names = np.array([f"Name{i}" for i in range(n)], dtype=object)
    persons = PersonTable(
        given_name=np.array(["Margaret", "Robert", "Susan", "William"] * (n // 4), dtype=object),
        # Random letters: no two surnames alike by chance, so a slipped one points at its original alone.
        family_name=np.array(["".join(rng.choice(list("bcdfghjklmnpqrstvwxz"), 9)).title() for _ in range(n)],
                             dtype=object),
        date_of_birth=np.array([np.datetime64("1970-01-01") + np.timedelta64(i, "D") for i in range(n)]),
        gender=np.array(["female"] * n, dtype=object),
        phone_e164=np.array([f"+4477009{i:05d}" for i in range(n)], dtype=object),
        email=names.copy(),
        created_at=np.zeros(n, dtype=np.int64),
    )
    original = PersonTable(*(column.copy() for column in vars(persons).values()))
    memberships = MembershipTable(person=np.arange(n), address=np.arange(n), from_date=original.date_of_birth.copy(),
                                  to_date=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"))
    _plant_duplicates(rng, persons, memberships, n)

    changed = np.flatnonzero(persons.family_name != original.family_name)
    assert len(changed) == int(n * DUPLICATE_SHARE)
    for row in changed:
        # Each changed record now looks like another person's: same or slipped surname, same or pet given name.
        twin = max(range(n), key=lambda i: name_similarity(fold(persons.family_name[row]), fold(original.family_name[i]))
                   if i != row else -1)
        assert name_similarity(fold(persons.family_name[row]), fold(original.family_name[twin])) >= 0.85
        given, twin_given = fold(persons.given_name[row]), fold(original.given_name[twin])
        assert given == twin_given or are_nicknames(given, twin_given)
    # Some slips of each kind, as real second records have.
    slipped = [r for r in changed if fold(persons.family_name[r]) not in {fold(f) for f in original.family_name}]
    pet = [r for r in changed if persons.given_name[r] not in ("Margaret", "Robert", "Susan", "William")]
    shared_home = memberships.address[changed] != np.arange(n)[changed]
    assert slipped and pet and shared_home.any() and not shared_home.all()
