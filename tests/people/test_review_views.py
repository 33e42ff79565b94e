"""The programme managers' review pages: who may open them, what a pair of which one side is hidden
shows (nothing of the hidden person), and that merge, "different people" and undo work through them."""

import datetime

import pytest
from django.urls import reverse

from tests.core.test_security import InlineCodeFinder
from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.people import merging, services
from waypoint.people.models import DuplicatePair, Person, PersonMerge, ProgrammeRegistration, ReviewStatus

pytestmark = pytest.mark.django_db

PERSONAS = [role.value for role in Role] + ["case_worker_b", "partner_user_y"]


def register(user, given, family, born, programme=Programme.COUNTER_TRAFFICKING, **fields):
    data = {"given_name": given, "family_name": family, "birth_date": born, **fields}
    return services.register(user, data, programme=programme)


def queue(a, b, score=0.97):
    first, second = sorted((a.pk, b.pk))
    return DuplicatePair.objects.create(
        first_id=first, second_id=second, score=score,
        reasons=[{"field": "family", "code": "same_after_transliteration", "weight": 4.0},
                 {"field": "birth_date", "code": "same", "weight": 4.5}],
    )


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def manager_client(client_for, users):
    return client_for(users["programme_manager"])


@pytest.fixture
def visible_pair(users):
    worker = users["case_worker"]
    a = register(worker, "Юлия", "Ковальчук", datetime.date(1990, 1, 2), sex="F", citizenships=["UA"])
    b = register(worker, "Iuliia", "Kovalchuk", datetime.date(1990, 1, 2), sex="F")
    services.add_document(worker, b, {"document_type": "passport", "number": "FA1234567"})
    return a, b, queue(a, b)


@pytest.fixture
def half_hidden_pair(make_user, users):
    """One record in CT (the manager's programme), the other known only to AVRR, whose manager is Boris."""
    make_user(Role.PROGRAMME_MANAGER, "avrr_manager", programmes=[Programme.RETURN], first_name="Boris",
              last_name="Return")
    mine = register(users["case_worker"], "Тимур", "Рахимов", datetime.date(1979, 11, 30), sex="M")
    hidden = register(users["case_worker_b"], "Timour", "Rakhimoff", datetime.date(1979, 12, 1), sex="M",
                      programme=Programme.RETURN)
    return mine, hidden, queue(mine, hidden, score=0.91)


def assert_no_inline_code(html: str) -> None:
    finder = InlineCodeFinder()
    finder.feed(html)
    assert finder.problems == []


# --- Who may open the pages ---------------------------------------------------------------------
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_programme_managers_open_the_review_pages(client_for, users, visible_pair, persona):
    a, b, pair = visible_pair
    client = client_for(users[persona])
    merge = PersonMerge.objects.create(survivor=a, absorbed=b, merged_by=users["programme_manager"])
    addresses = [
        ("get", reverse("people:duplicates")),
        ("get", reverse("people:merges")),
        ("get", reverse("people:merge_start", args=[a.pk])),
        ("get", reverse("people:merge_confirm", args=[a.pk, b.pk])),
        ("post", reverse("people:duplicate_not_same", args=[pair.pk])),
        ("post", reverse("people:merge_undo", args=[merge.pk])),
    ]
    for method, url in addresses:
        since = last_event_id()
        response = getattr(client, method)(url)
        if persona == "programme_manager":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 404, (persona, url)
            assert AuditEvent.objects.filter(pk__gt=since, action=Action.DENY).exists(), url
    pair.refresh_from_db()
    if persona != "programme_manager":
        assert pair.status == ReviewStatus.OPEN


@pytest.mark.parametrize("name", ["people:duplicates", "people:merges"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- The list of possible duplicates ------------------------------------------------------------
def test_a_visible_pair_is_shown_side_by_side_with_score_reasons_and_actions(manager_client, visible_pair):
    a, b, pair = visible_pair
    since = last_event_id()
    response = manager_client.get(reverse("people:duplicates"))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (a.reference, b.reference, "Ковальчук Юлия", "Iuliia", "1990-01-02", "97%", "Ukraine"):
        assert text in html
    assert "family name: same after transliteration" in html
    assert reverse("people:merge_confirm", args=[pair.first_id, pair.second_id]) in html
    assert reverse("people:merge_confirm", args=[pair.second_id, pair.first_id]) in html
    assert reverse("people:duplicate_not_same", args=[pair.pk]) in html
    assert_no_inline_code(html)
    viewed = AuditEvent.objects.filter(pk__gt=since, action=Action.VIEW, object_type="people.person")
    assert set(viewed.values_list("object_id", flat=True)) == {str(a.pk), str(b.pk)}


def test_the_hidden_side_shows_only_the_programme_and_whom_to_ask(manager_client, half_hidden_pair):
    mine, hidden, pair = half_hidden_pair
    html = manager_client.get(reverse("people:duplicates")).content.decode()
    assert mine.reference in html
    assert "Рахимов" in html
    assert "Assisted voluntary return and reintegration" in html
    assert "Boris Return" in html
    for secret in (hidden.reference, f"/people/{hidden.pk}/", "Timour", "Rakhimoff", "RAKHIMOFF", "1979-12-01"):
        assert secret not in html
    # No decision on a pair whose other side the manager cannot see.
    assert reverse("people:merge_confirm", args=[pair.first_id, pair.second_id]) not in html
    assert reverse("people:duplicate_not_same", args=[pair.pk]) not in html


def test_a_half_hidden_pair_cannot_be_decided_by_posting_anyway(manager_client, half_hidden_pair):
    _mine, _hidden, pair = half_hidden_pair
    since = last_event_id()
    response = manager_client.post(reverse("people:duplicate_not_same", args=[pair.pk]))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.OPEN
    assert AuditEvent.objects.filter(pk__gt=since, action=Action.DENY, object_type="people.duplicatepair").exists()


def test_pairs_outside_the_managers_programmes_are_not_listed(client_for, make_user, visible_pair):
    other = make_user(Role.PROGRAMME_MANAGER, "health_manager", programmes=[Programme.HEALTH])
    html = client_for(other).get(reverse("people:duplicates")).content.decode()
    a, b, _pair = visible_pair
    assert a.reference not in html
    assert b.reference not in html
    assert "Ковальчук" not in html


def test_different_people_closes_the_pair_and_is_audited(manager_client, users, visible_pair):
    _a, _b, pair = visible_pair
    since = last_event_id()
    response = manager_client.post(reverse("people:duplicate_not_same", args=[pair.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("people:duplicates")
    assert "will not be proposed again" in response.content.decode()
    pair.refresh_from_db()
    assert (pair.status, pair.reviewed_by) == (ReviewStatus.NOT_SAME, users["programme_manager"])
    event = AuditEvent.objects.get(pk__gt=since, action=Action.UPDATE, object_type="people.duplicatepair")
    assert event.changes == {"status": ["open", "not_same"]}
    assert manager_client.get(reverse("people:duplicate_not_same", args=[pair.pk])).status_code == 405


# --- Merging through the pages ------------------------------------------------------------------
def test_merge_start_takes_the_other_records_reference(manager_client, visible_pair):
    a, b, _pair = visible_pair
    url = reverse("people:merge_start", args=[a.pk])
    page = manager_client.get(url)
    assert page.status_code == 200
    assert a.reference in page.content.decode()
    assert_no_inline_code(page.content.decode())
    response = manager_client.get(url, {"reference": b.reference})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:merge_confirm", args=[a.pk, b.pk])
    assert "Enter a record reference" in manager_client.get(url, {"reference": "Kovalchuk"}).content.decode()
    assert "That is this record" in manager_client.get(url, {"reference": a.reference}).content.decode()


def test_merge_start_with_a_record_of_another_programme_says_nothing_of_it(manager_client, users, visible_pair):
    a, _b, _pair = visible_pair
    elsewhere = register(users["case_worker_b"], "Olga", "Sidorova", datetime.date(1970, 1, 1),
                         programme=Programme.RETURN)
    since = last_event_id()
    response = manager_client.get(reverse("people:merge_start", args=[a.pk]), {"reference": elsewhere.reference})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No record with this reference in your programmes" in html
    assert "Sidorova" not in html
    denial = AuditEvent.objects.get(pk__gt=since, action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("people.person", str(elsewhere.pk))


def test_merge_confirm_compares_and_merges_with_a_reason(manager_client, visible_pair):
    a, b, pair = visible_pair
    url = reverse("people:merge_confirm", args=[a.pk, b.pk])
    page = manager_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert a.reference in html
    assert b.reference in html
    assert "Likely the same person" in html
    assert reverse("people:merge_confirm", args=[b.pk, a.pk]) in html
    assert_no_inline_code(html)

    refused = manager_client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    assert not PersonMerge.objects.exists()

    response = manager_client.post(url, {"reason": "Same passport"})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{a.pk}/"
    merge = PersonMerge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id, merge.reason) == (a.pk, b.pk, "Same passport")
    assert Person.objects.get(pk=b.pk).merged_into_id == a.pk
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.MERGED
    # Merged pairs leave the review list.
    assert "0 pairs to review" in manager_client.get(reverse("people:duplicates")).content.decode()


def test_merge_confirm_of_a_record_already_merged_refuses(manager_client, users, visible_pair):
    a, b, _pair = visible_pair
    merging.merge(users["programme_manager"], a, b)
    html = manager_client.get(reverse("people:merge_confirm", args=[a.pk, b.pk])).content.decode()
    assert "cannot be merged" in html
    response = manager_client.post(reverse("people:merge_confirm", args=[a.pk, b.pk]), {"reason": "again"})
    assert response.status_code == 200
    assert "already been merged" in response.content.decode()
    assert PersonMerge.objects.count() == 1


def test_merge_confirm_with_a_hidden_record_is_404(manager_client, half_hidden_pair):
    mine, hidden, _pair = half_hidden_pair
    assert manager_client.get(reverse("people:merge_confirm", args=[mine.pk, hidden.pk])).status_code == 404
    assert manager_client.post(
        reverse("people:merge_confirm", args=[hidden.pk, mine.pk]), {"reason": "x"}
    ).status_code == 404
    assert not PersonMerge.objects.exists()


# --- The list of merges and undo ----------------------------------------------------------------
def test_merges_are_listed_and_can_be_undone_once(manager_client, users, visible_pair):
    a, b, _pair = visible_pair
    merge = merging.merge(users["programme_manager"], a, b, reason="Same passport")
    page = manager_client.get(reverse("people:merges"))
    html = page.content.decode()
    assert a.reference in html
    assert b.reference in html
    assert "Same passport" in html
    assert users["programme_manager"].username in html
    undo_url = reverse("people:merge_undo", args=[merge.pk])
    assert undo_url in html
    assert_no_inline_code(html)

    response = manager_client.post(undo_url, follow=True)
    assert "is a record of its own again" in response.content.decode()
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert Person.objects.get(pk=b.pk).merged_into_id is None
    assert undo_url not in manager_client.get(reverse("people:merges")).content.decode()

    again = manager_client.post(undo_url, follow=True)
    assert "already been undone" in again.content.decode()


def test_a_merge_seen_through_a_copied_registration_hides_the_other_record(client_for, make_user, users):
    """An AVRR manager sees the survivor (it got an AVRR registration) but not a CT-only absorbed record."""
    worker = users["case_worker"]
    survivor = register(worker, "Анна", "Петренко", datetime.date(1992, 4, 5))
    absorbed = register(worker, "Anna", "Petrenko", datetime.date(1992, 4, 5))
    ProgrammeRegistration.objects.create(person=survivor, programme=Programme.RETURN)
    merging.merge(users["programme_manager"], survivor, absorbed)
    avrr = make_user(Role.PROGRAMME_MANAGER, "avrr_manager", programmes=[Programme.RETURN])
    html = client_for(avrr).get(reverse("people:merges")).content.decode()
    assert survivor.reference in html
    assert absorbed.reference not in html
    assert "a record of another programme" in html
