"""An operator logs calls with the keyboard alone, five in a row, one of them needing a call-back; the
follow-up then waits in the site's queue. "Under a minute" is pinned as a keystroke budget, not a timer:
how fast a robot types says nothing about an operator, and timed tests belong in bench/."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in_with_code
from tests.hotline.log_world import make_world
from waypoint.hotline.models import Consultation, FollowUp

pytestmark = pytest.mark.django_db(transaction=True)

# Keys pressed for a full call besides its free text (the answer): at one key a second, well under a minute.
KEYSTROKE_BUDGET = 40
FREE_TEXT_LENGTH = 20  # typed text longer than this is the answer or a note, not a choice or a filter
pressed: list[str] = []
KEY_NAMES = {"Tab", "Enter", "Control+Enter", "ArrowDown", "Space", "Escape", "Alt+O"}


@pytest.fixture
def world(users, make_user, office):
    return make_world(users, make_user, office)


def focused(page) -> str:
    """The name (or id) of the focused element, to follow the keyboard without clicking."""
    return page.evaluate("document.activeElement.name || document.activeElement.id")


def keys(page, *sequence: str) -> None:
    """Press keys; plain text is typed, names like 'Tab' or 'Control+Enter' are pressed."""
    for item in sequence:
        if item in KEY_NAMES or re.fullmatch(r"\d", item):
            page.keyboard.press(item)
            pressed.append(item)
        else:
            page.keyboard.type(item, delay=15)
            if len(item) <= FREE_TEXT_LENGTH:
                pressed.extend(item)


def saving(page, *sequence: str) -> None:
    """Press the keys that end with a save, and wait for the fresh form that confirms it."""
    with page.expect_navigation(url=re.compile(r"/hotline/\?saved=\d+$")):
        keys(page, *sequence)
    page.wait_for_function("document.activeElement && document.activeElement.name === 'caller_type'")


def log_a_labour_migrant_from_uzbekistan(page) -> None:
    """The call of the seeds' typical foreigner: work permits and the police, heard of us from a leaflet."""
    assert focused(page) == "caller_type"
    keys(page, "2")                                 # Labour migrant
    keys(page, "Tab")
    assert focused(page) == "topic-filter"
    keys(page, "perm", "Enter", "poli", "Enter")    # Work permits, Relations with the police
    keys(page, "Tab")
    assert focused(page) == "answer"
    keys(page, "Explained how to get a patent; gave the address of the migration centre.", "Tab")
    assert focused(page) == "nationality"
    keys(page, "3")                                 # Other country: the cursor goes to the country box
    assert focused(page) == "country"
    keys(page, "UZ", "Tab")
    assert focused(page) == "caller_language"
    keys(page, "Uzb", "Tab")                        # Uzbek
    keys(page, "3", "Tab")                          # Male
    keys(page, "4", "Tab")                          # 25 to 34
    assert focused(page) == "heard_from"
    keys(page, "Leaflet in U", "Tab")
    assert focused(page) == "outcome"               # Information given, already ticked
    saving(page, "Enter")


def test_an_operator_logs_five_calls_with_the_keyboard_alone(page, world, screenshot):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in_with_code(page, world["operator"])
    page.goto("/hotline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a call")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'caller_type'")
    page.wait_for_timeout(1200)  # the timer fills the duration meanwhile
    assert page.input_value("#id_duration_minutes") == "1"
    assert page.locator("#call-timer").inner_text() != "0:00"
    screenshot("entry-form")

    # Call 1: every field filled, counted from the open form to the confirmation of the saved call.
    pressed.clear()
    log_a_labour_migrant_from_uzbekistan(page)
    expect(page.locator("#saved")).to_contain_text("Saved.")
    assert len(pressed) <= KEYSTROKE_BUDGET, f"a full call took {len(pressed)} keys: {pressed}"

    first = Consultation.objects.get()
    assert first.operator == world["operator"]
    assert first.site == world["spb"]
    assert first.channel == "call"
    assert first.caller_type == "labour_migrant"
    assert {t.code for t in first.topics.all()} == {"work-permits", "police"}
    assert (first.caller_nationality, first.caller_language) == ("UZ", "uz")
    assert (first.caller_sex, first.caller_age_band) == ("M", "25-34")
    assert first.heard_from == world["materials"]["leaflet-uz"]
    assert first.outcome == "informed"
    assert first.answer.startswith("Explained how to get a patent")
    assert 1 <= first.duration_minutes <= 2
    screenshot("saved-and-ready")

    # Call 2: a Russian national asking about work abroad; Enter on a choice saves.
    saving(page, "1", "Tab", "abroad", "Enter", "Tab", "Tab", "2", "Enter")

    # Call 3: a relative of a possible victim, trafficking, needing a call-back (the outcome opens it).
    keys(page, "4", "Tab", "traff", "Enter")
    keys(page, "Alt+O")  # past the answer and the caller's details (all "not known"), straight to the outcome
    assert focused(page) == "outcome"
    keys(page, "5")  # Call-back needed
    expect(page.locator("#follow-up-fields")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hotline-call-back-as-the-operator-sees-it.png"))  # the viewport only
    keys(page, "Tab")
    assert focused(page) == "needs_call_back"
    saving(page, "Tab", "Call back with the address of a shelter", "Tab", "+7 921 555-01-02", "Control+Enter")

    # Calls 4 and 5: the shortest possible ones.
    for topic in ("citiz", "migration"):
        saving(page, "2", "Tab", topic, "Enter", "Control+Enter")

    assert Consultation.objects.count() == 5
    assert page.locator("table.consultations tbody tr").count() == 5
    follow_up = FollowUp.objects.get()
    assert follow_up.consultation.caller_type == "relative"
    assert follow_up.action == "Call back with the address of a shelter"
    assert follow_up.contact == "+7 921 555-01-02"
    assert {t.code for t in Consultation.objects.get(caller_type="potential_migrant").topics.all()} == {
        "employment-abroad"}
    assert Consultation.objects.get(caller_type="potential_migrant").caller_nationality == "RU"
    screenshot("five-calls")

    page.goto("/hotline/follow-ups/")
    expect(page.locator(".queue-item")).to_have_count(1)
    expect(page.locator(".queue-item")).to_contain_text("Call back with the address of a shelter")
    expect(page.locator(".queue-item")).to_contain_text("+7 921 555-01-02")
    screenshot("follow-up-queue")

    page.goto(f"/hotline/{follow_up.consultation_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consultation")
    expect(page.locator("#follow-ups")).to_contain_text("Call back with the address of a shelter")
    screenshot("consultation-page")
    assert violations == []


def test_a_refused_call_names_the_fields_and_keeps_what_was_typed(page, world, screenshot):
    sign_in_with_code(page, world["operator"])
    page.goto("/hotline/")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'caller_type'")

    keys(page, "Tab", "Tab", "Tab", "3", "Atlantis", "Control+Enter")  # no caller type, no topic, an unknown country
    page.wait_for_url(re.compile(r"/hotline/new/$"))

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Nothing was saved.")
    expect(summary).to_contain_text("Caller: Choose who the caller is.")
    expect(summary).to_contain_text("Topics: Choose at least one topic.")
    expect(summary).to_contain_text("Country: “Atlantis” is not a country we know")
    assert focused(page) == "caller_type"  # the first field to correct
    assert page.input_value("#id_country") == "Atlantis"
    assert not Consultation.objects.exists()
    screenshot("refused")

    # Other caller, the project, nationality not known.
    saving(page, "6", "Tab", "proj", "Enter", "Tab", "Tab", "1", "Enter")
    consultation = Consultation.objects.get()
    assert (consultation.caller_type, consultation.caller_nationality) == ("other", "")
