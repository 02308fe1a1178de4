"""The wait estimate shown to someone in the chat queue."""

import pytest

from chat.queueing import DEFAULT_HANDLE_MINUTES, estimate_wait, median_handle_minutes


def test_a_free_place_means_about_a_minute():
    assert estimate_wait(position=2, free_places=2, agents=1, handle_minutes=8).text == "about a minute"


def test_people_ahead_are_shared_between_the_agents():
    # Five ahead of the free places, two agents: three rounds of six minutes.
    assert estimate_wait(position=6, free_places=1, agents=2, handle_minutes=6).minutes == 18


def test_no_agent_on_duty_still_gives_an_estimate():
    assert estimate_wait(position=1, free_places=0, agents=0, handle_minutes=5).minutes == 5


def test_position_starts_at_one():
    with pytest.raises(ValueError):
        estimate_wait(position=0, free_places=0, agents=1, handle_minutes=5)


def test_median_handling_time_defaults_when_there_is_no_history():
    assert median_handle_minutes([]) == DEFAULT_HANDLE_MINUTES
    assert median_handle_minutes([120, 600, 900]) == 10
