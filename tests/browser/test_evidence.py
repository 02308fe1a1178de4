"""Evidence in a real browser: the resumable uploader, playing a recording, and the public upload page with and
without JavaScript, each page checked with axe-core."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from cases.services import close_crime, record_crime_from_contact
from cases.tests.factories import crime_contact, routed_crime
from evidence import samples, services
from evidence.models import Exhibit
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_online_reporting import Keys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "media"}},
        "evidence_staging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "staging"},
        },
    }


@pytest.fixture
def crime(make_user, reference_data):
    handler = make_user("call-handler", username="handler-ev")
    return record_crime_from_contact(contact=crime_contact(actor=handler), actor=handler)


def test_an_investigator_uploads_a_large_video_in_parts_and_plays_a_recording(
    page, live_server, make_user, password, crime, tmp_path
):
    """I should be able to send a video bigger than one part, see it listed with its hash, and play a recording."""
    investigator = make_user("resolution-investigator", username="resolver-ev", first_name="Jo", last_name="Smith")
    sign_in(page, live_server.url, investigator.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Evidence").click()
    expect(page).to_have_title("Evidence – FirstContact")
    assert_accessible(page)
    page.get_by_label("Crime reference").fill(crime.reference)
    page.get_by_role("button", name="Open the crime's evidence").click()
    expect(page).to_have_title(f"Evidence for {crime.reference} – FirstContact")
    assert_accessible(page)

    page.get_by_role("link", name="Add a file").click()
    assert_accessible(page)
    video = samples.mp4_like(9 * 1024 * 1024 + 123, seed=21)  # two parts of 8 MB
    path = tmp_path / "till-camera.mp4"
    path.write_bytes(video)
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Description of the item").fill("Till camera, 14:00 to 14:30")
    page.get_by_role("button", name="Add the file").click()
    expect(page).to_have_title(f"Evidence for {crime.reference} – FirstContact")
    exhibit = Exhibit.objects.get()
    assert exhibit.upload.length == len(video) and exhibit.sha256 == hashlib.sha256(video).hexdigest()
    assert exhibit.reference == "JS/1" and exhibit.kind == "video"
    expect(page.get_by_test_id("exhibits")).to_contain_text("Till camera, 14:00 to 14:30")

    recording = samples.wav(2.0)
    call = services.receive_file(
        actor=investigator, description="Extract of the 101 call", produced_by="Jo Smith",
        file=io.BytesIO(recording), filename="call.wav", size=len(recording), crime=crime,
    )
    page.reload()
    page.get_by_role("link", name=call.reference).click()
    expect(page).to_have_title(f"Exhibit {call.reference} – FirstContact")
    audio = page.get_by_test_id("exhibit-media")
    # The player fetched the file by HTTP ranges and knows how long the recording is.
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    assert abs(audio.evaluate("a => a.duration") - 2.0) < 0.05
    expect(page.get_by_test_id("sha256")).to_have_text(call.sha256)
    expect(page.get_by_test_id("custody")).to_contain_text("Viewed")
    assert_accessible(page)


def _link(make_user, crime, base_url, username):
    investigator = make_user("resolution-investigator", username=username)
    return services.issue_upload_link(
        actor=investigator, crime=crime, recipient_name="Corner Shop Ltd", channel="email",
        recipient_email="manager@cornershop.example", purpose="cctv", base_url=base_url,
    )


def _fill_and_send_with_mistakes(page, still):
    page.get_by_label("Upload a file").set_input_files(str(still))
    page.get_by_label("Which cameras?").fill("Cam 2 till")
    page.get_by_label("How far is the camera's clock from the real time, in seconds?").fill("ninety")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_title("Error: Send your evidence – FirstContact")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Describe what is in the file")
    expect(summary).to_contain_text("must be a whole number of seconds")
    expect(page.get_by_label("Which cameras?")).to_have_value("Cam 2 till")
    expect(page.get_by_test_id("received-files")).to_contain_text("cam2.png")


def _correct_and_send(page):
    page.get_by_label("What is in the file?").fill("Camera 2 as the man leaves")
    page.get_by_label("How far is the camera's clock from the real time, in seconds?").fill("90")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_title("Evidence sent – FirstContact")


def test_a_business_sends_cctv_without_javascript_fixes_a_mistake_and_the_link_then_stops_working(
    browser, live_server, make_user, crime, tmp_path
):
    """With scripts off, I should be able to send CCTV, fix a mistake without choosing the file again, and the link works once."""
    issued = _link(make_user, crime, live_server.url, "resolver-ev2")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(issued.url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Send your CCTV footage")
        still = tmp_path / "cam2.png"
        still.write_bytes(samples.png(320, 240, seed=3))
        _fill_and_send_with_mistakes(page, still)
        _correct_and_send(page)
        exhibit = Exhibit.objects.get()
        assert exhibit.cctv_clock_offset_seconds == 90 and exhibit.produced_by == "Corner Shop Ltd"
        assert exhibit.sha256 == hashlib.sha256(still.read_bytes()).hexdigest()
        page.goto(issued.url)
        expect(page).to_have_title("This link does not work – FirstContact")
    finally:
        context.close()


def test_the_public_upload_pages_are_accessible_and_the_script_sends_the_file_in_parts(
    mobile_page, live_server, make_user, crime, tmp_path
):
    """On a phone with scripts on, each page of sending evidence should pass axe-core, errors included."""
    page = mobile_page
    issued = _link(make_user, crime, live_server.url, "resolver-ev3")
    page.goto(issued.url)
    expect(page).to_have_title("Send your evidence – FirstContact")
    assert_accessible(page)
    still = tmp_path / "cam2.png"
    still.write_bytes(samples.png(320, 240, seed=4))
    _fill_and_send_with_mistakes(page, still)
    assert_accessible(page)
    _correct_and_send(page)
    assert_accessible(page)
    exhibit = Exhibit.objects.get()
    assert exhibit.upload.length == len(still.read_bytes())
    page.goto(issued.url)
    expect(page).to_have_title("This link does not work – FirstContact")
    assert_accessible(page)


def test_a_supervisor_destroys_an_exhibit_of_a_closed_crime_by_keyboard_alone(
        page, live_server, make_user, password, reference_data):
    """I can destroy an exhibit of a closed crime with the keyboard only: I am asked why, told plainly what is
    missing, asked to confirm, and then the exhibit page keeps its hash and custody without the file."""
    supervisor = make_user("supervisor", username="super-destroy")
    crime = routed_crime(actor=supervisor)
    data = samples.png(seed=21)
    exhibit = services.receive_file(actor=supervisor, description="Photo of the scratched car", produced_by="Jo Smith",
                                    file=io.BytesIO(data), filename="car.png", size=len(data), crime=crime)
    stored = exhibit.file.name
    close_crime(crime=crime, actor=supervisor, outcome=14)
    keys = Keys(page)

    sign_in(page, live_server.url, supervisor.username, password)
    page.goto(f"{live_server.url}/staff/evidence/exhibits/{exhibit.pk}/")
    assert_accessible(page)
    keys.tab_to(page.get_by_role("button", name="Destroy this exhibit"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_title("Destroy exhibit JS/1 – FirstContact")
    assert_accessible(page)

    keys.press_button("Continue")
    expect(page).to_have_title("Error: Destroy exhibit JS/1 – FirstContact")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the exhibit is being destroyed")
    assert_accessible(page)

    keys.fill("Why the exhibit is being destroyed", "Victim withdrew; no further action and no claim pending")
    keys.press_button("Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to destroy exhibit JS/1?")
    expect(page.get_by_test_id("destroy-reason")).to_have_text("Victim withdrew; no further action and no claim pending")
    assert_accessible(page)
    assert default_storage.exists(stored)

    keys.press_button("Destroy the exhibit")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Exhibit JS/1 destroyed")
    expect(page.get_by_test_id("exhibit-destroyed")).to_contain_text("This exhibit was destroyed")
    expect(page.get_by_test_id("custody")).to_contain_text("authorised by super-destroy")
    assert_accessible(page)
    assert not default_storage.exists(stored)
    assert Exhibit.objects.get(pk=exhibit.pk).destroyed
