"""A case worker registers a person in Cyrillic, is warned while typing a Latin spelling of the same person,
and finds her by searching in either alphabet."""

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_code
from waypoint.people import services
from waypoint.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_then_warned_while_typing_then_found_in_both_alphabets(page, users, screenshot):
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text
            else None)
    sign_in_with_code(page, users["case_worker"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.wait_for_url(re.compile(r"/people/$"))
    page.get_by_role("link", name="Register a person").first.click()
    page.wait_for_url(re.compile(r"/people/register/$"))

    names = page.get_by_role("group", name="Name as written")
    names.get_by_label("Family name").fill("Ковальчук")
    names.get_by_label("Given name").fill("Юлия")
    page.get_by_label("Female").check()
    page.get_by_label("Day, month and year").fill("1990-04-12")
    screenshot("register-form")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    person = Person.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ковальчук Юлия")
    expect(page.locator(".latin-name")).to_have_text("Kovalchuk Iuliia")
    screenshot("person-page")

    page.goto("/people/register/")
    page.evaluate("window.notReloaded = true")
    names = page.get_by_role("group", name="Name as written")
    names.get_by_label("Given name").press_sequentially("Yulia", delay=30)
    names.get_by_label("Family name").press_sequentially("Kovalchuk", delay=30)
    warning = page.locator("#candidates .candidate")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("Ковальчук Юлия")
    expect(warning).to_contain_text(person.reference)
    expect(warning.get_by_role("link", name="Open this record instead")).to_have_attribute(
        "href", f"/people/{person.pk}/"
    )
    assert page.evaluate("window.notReloaded") is True, "the warning came without submitting the form"
    assert Person.objects.count() == 1
    screenshot("duplicate-warning")

    for query in ("Kovalchuk Yulia", "ковальчук"):
        page.goto("/people/")
        page.get_by_label("Name, record number or document number").fill(query)
        page.get_by_role("button", name="Search").click()
        rows = page.locator("#results tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(person.reference)
        expect(rows.first).to_contain_text("Ковальчук Юлия")
        assert "ковальчук" not in page.url.lower()
        assert "kovalchuk" not in page.url.lower()
    screenshot("search-results")
    assert violations == []


def tiny_png() -> bytes:
    """A real 2 by 2 pixel PNG, so that the browser can show it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x2a\x5c\xab" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_the_person_page_takes_another_name_a_document_and_a_photo(page, users, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    worker = users["case_worker"]
    person = services.register(worker, {"family_name": "Щербаков", "given_name": "Юрий", "sex": "M"}, programme="CT")
    sign_in_with_code(page, worker)
    page.goto(f"/people/{person.pk}/")

    names = page.locator("#names")
    names.get_by_label("Kind").select_option(label="Spelling in a document")
    names.get_by_label("Family name").fill("Sherbakov")
    names.get_by_label("Given name").fill("Yuri")
    names.get_by_role("button", name="Add the name").click()
    expect(page.locator("#names tbody")).to_contain_text("Sherbakov Yuri")

    documents = page.locator("#documents")
    documents.get_by_label("Document type").select_option(label="Passport")
    documents.get_by_label("Number").fill("12")
    documents.get_by_role("button", name="Add the document").click()
    expect(page.locator("#id_document-number_error")).to_contain_text("4 to 20 letters and digits")
    screenshot("document-error")
    page.locator("#documents").get_by_label("Number").fill("45 06 123456")
    page.locator("#documents").get_by_role("button", name="Add the document").click()
    expect(page.locator("#documents tbody")).to_contain_text("•••••••456")

    page.locator("#photo").get_by_label("Photo file").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    page.locator("#photo").get_by_role("button", name="Upload").click()
    photo = page.locator("img.person-photo")
    expect(photo).to_be_visible()
    assert page.evaluate("document.querySelector('img.person-photo').naturalWidth") == 2
    screenshot("person-page-filled")


def test_the_date_of_birth_shows_only_the_inputs_of_its_kind(page, users):
    sign_in_with_code(page, users["case_worker"])
    page.goto("/people/register/")
    exact, year = page.get_by_label("Day, month and year"), page.get_by_label("Year of birth")
    age = page.get_by_label("Estimated age")

    expect(exact).to_be_visible()
    expect(year).to_be_hidden()
    page.get_by_label("Year only").check()
    expect(year).to_be_visible()
    expect(exact).to_be_hidden()
    page.get_by_label("Estimated from age").check()
    expect(age).to_be_visible()
    expect(year).to_be_hidden()
    page.get_by_label("Not known").check()
    expect(age).to_be_hidden()
    expect(exact).to_be_hidden()
