"""The security review of issue 5 (case core, counter-trafficking, referral system).

Each problem found has a test here that failed before its fix; the sweeps at the end guard what was checked
and found right (every object of one case reached under another case's reference, and every case page reached
by a partner user, answers 404 and is audited).
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from tests.cases.service_world import make_world, register
from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import deliveries, movements, notes, plan, services, sharing
from waypoint.cases.casework import open_case
from waypoint.cases.models import (
    CaseEvent,
    CaseMember,
    Channel,
    EscortKind,
    MovementKind,
    Referral,
    ReferralStatus,
)
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.protection import services as protection_services
from waypoint.protection import stays

CT = Programme.COUNTER_TRAFFICKING
TODAY = timezone.localdate()
NAME = "Юсупова Гулнора"
WITHDRAWN = "The person withdrew their consent: personal data are no longer shown."


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def denials_since(since: int, user) -> int:
    return AuditEvent.objects.filter(pk__gt=since, action=Action.DENY, actor_id=user.pk).count()


@pytest.fixture
def world(users):
    return make_world(users)


@pytest.fixture
def clinic(db):
    """A service of an organisation without Waypoint users: it gets a printed referral."""
    organisation = Organisation.objects.create(name="City clinic No. 5", organisation_type=OrganisationType.HEALTH)
    return Service.objects.create(organization=organisation, name="Medical examination")


def consent_for(user, person, organisation, categories):
    return consent_services.record_consent(
        user, person, purpose=Purpose.REFERRAL, recipient_organisation=organisation, data_categories=categories,
        how_given=HowGiven.WRITTEN, given_on=TODAY)


# --- 1. The printable page is a form for the organisation: it carries what the consent covers now --------
@pytest.mark.parametrize("as_draft", [True, False])
def test_the_printable_page_staff_print_for_the_organisation_follows_the_consent_now(
    users, client_for, world, clinic, as_draft,
):
    worker = users["case_worker"]
    consent = consent_for(worker, world.mother, clinic.organization, [DataCategory.IDENTITY])
    referral = services.refer_from_case(worker, world.case, person=world.mother, service=clinic,
                                        reason="Medical examination.", categories=[DataCategory.IDENTITY],
                                        as_draft=as_draft)
    consent_services.withdraw(worker, consent, "")

    content = client_for(worker).get(f"/referrals/{referral.pk}/print/").content.decode()

    assert NAME not in content  # the PDF of the same referral leaves it out too
    assert escape(WITHDRAWN) in content
    # The office's own record still shows what was sent (the referral page, for staff).
    assert NAME in client_for(worker).get(f"/referrals/{referral.pk}/").content.decode()


# --- 2. A partner cancels its referral to the office only until the office answers -------------------------
def test_a_partner_cannot_cancel_its_referral_once_the_office_opened_a_case_from_it(users, client_for, world):
    partner, manager = users["partner_user"], users["programme_manager"]
    referral = services.refer_to_office(
        partner, person={"family_name": "Иванова", "given_name": "Анна", "sex": "F", "citizenship": "RU"},
        situation="Escaped from a workshop.", consent_attested=True)
    services.open_case_from_referral(manager, referral, owner=manager, version=referral.version,
                                     person=world.stranger)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED

    assert services.allowed_actions(partner, referral) == []
    response = client_for(partner).post(f"/referrals/{referral.pk}/answer/", {
        "action": "cancel", "version": referral.version, "note": "Changed our mind."})

    referral.refresh_from_db()
    assert response.status_code == 400
    assert referral.status == ReferralStatus.ACCEPTED
    assert not any("Changed our mind" in line for line in CaseEvent.objects.filter(case=referral.case)
                   .values_list("summary", flat=True))


# --- 3. A consent withdrawn from the case page is on the case's timeline ----------------------------------
def test_a_consent_withdrawn_from_the_case_page_is_written_on_the_timeline(users, client_for, world, ngo_x):
    worker = users["case_worker"]
    consent = consent_for(worker, world.mother, ngo_x, [DataCategory.IDENTITY])

    response = client_for(worker).post(f"/cases/{world.case.reference}/consents/{consent.pk}/withdraw/",
                                       {"note": "Phoned to withdraw."})

    consent.refresh_from_db()
    assert response.status_code == 302
    assert consent.withdrawn_at is not None
    [line] = CaseEvent.objects.filter(case=world.case, kind="consent").values_list("summary", flat=True)
    assert "Consent withdrawn" in line
    assert world.mother.reference in line
    assert "Phoned to withdraw" not in line  # how it was withdrawn stays in the consent record


# --- 4. An office document's "mimetype" entry is not decompressed whatever its size ---------------------
def test_a_zip_whose_mimetype_entry_is_huge_is_refused_without_inflating_it(monkeypatch):
    odt = b"application/vnd.oasis.opendocument.text"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", odt + b" " * (20 * 1024 * 1024))  # 20 MB of padding, a few KB compressed
        archive.writestr("content.xml", "<office:document-content/>")
    upload = SimpleUploadedFile("letter.odt", buffer.getvalue(), content_type="application/octet-stream")
    assert upload.size < 200 * 1024
    inflated = []
    real_read = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, *a: inflated.append(name) or real_read(
        self, name, *a))

    with pytest.raises(ValidationError) as refused:
        notes.check_attachment(upload)

    assert refused.value.error_dict["file"][0].code == "wrong_type"
    assert inflated == []


def test_a_real_opendocument_file_is_still_recognised():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    upload = SimpleUploadedFile("letter.odt", buffer.getvalue())

    assert notes.check_attachment(upload) == notes.ODT


# --- Sweeps: what was checked and found right -------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def filled(users, world, ngo_x):
    """Case A (the world's) with one of everything, and case B, also the case worker's."""
    worker = users["case_worker"]
    case_a = world.case
    goal = plan.add_goal(worker, case_a, title="Safe housing")
    task = plan.add_task(worker, case_a, title="Call the embassy", goal=goal)
    note = notes.add_note(worker, case_a, "She was moved through Kazakhstan.")
    attachment = notes.upload_attachment(worker, case_a, upload=SimpleUploadedFile("passport.pdf", PDF),
                                            kind=notes.AttachmentKind.values[0])
    delivery = deliveries.record_delivery(
        worker, case_a, service_type=deliveries.offered_types(CT, direct_only=True)[0], person=world.mother,
        delivered_on=TODAY, delivered_by=worker)
    movement = movements.plan_movement(
        worker, case_a, kind=MovementKind.AIRPORT_RECEPTION, travellers=[world.mother], origin="Sheremetyevo",
        destination="Moscow centre", departs_at=timezone.now() + datetime.timedelta(days=2), escort=EscortKind.NONE)
    stay = stays.check_in(worker, case_a, person=world.mother, room=world.room_a, bed=1,
                          checked_in_on=TODAY - datetime.timedelta(days=1))
    event = protection_services.add_event(worker, case_a, event_type="Recruitment", country="UZ")
    consent = consent_for(worker, world.mother, ngo_x, [DataCategory.IDENTITY])
    son = CaseMember.objects.get(case=case_a, person=world.son)
    other = register(worker, "Петрова", "Ольга", "F")
    case_b = open_case(worker, programme=CT, principal=other, owner=worker, channel=Channel.SELF)
    return {"a": case_a, "b": case_b, "goal": goal, "task": task, "note": note, "attachment": attachment,
            "delivery": delivery, "movement": movement, "stay": stay, "event": event, "consent": consent,
            "member": son, "mother": world.mother}


CROSS_CASE = [
    ("post", "/cases/{b}/members/{member}/remove/"),
    ("get", "/cases/{b}/goals/{goal}/edit/"),
    ("post", "/cases/{b}/goals/{goal}/edit/"),
    ("post", "/cases/{b}/tasks/{task}/done/"),
    ("get", "/cases/{b}/notes/{note}/edit/"),
    ("get", "/cases/{b}/attachments/{attachment}/"),
    ("post", "/cases/{b}/attachments/{attachment}/remove/"),
    ("post", "/cases/{b}/consents/{consent}/withdraw/"),
    ("get", "/cases/{b}/services/{delivery}/edit/"),
    ("get", "/cases/{b}/movements/{movement}/edit/"),
    ("post", "/cases/{b}/movements/{movement}/status/"),
    ("get", "/centre/{b}/stays/{stay}/check-out/"),
    ("post", "/protection/{b}/events/{event}/remove/"),
]


def _url(pattern: str, filled) -> str:
    values = {name: (obj.reference if name in ("a", "b") else obj.pk) for name, obj in filled.items()}
    return pattern.format(**values)


@pytest.mark.parametrize(("method", "pattern"), CROSS_CASE)
def test_an_object_of_one_case_under_another_cases_reference_is_not_found(users, client_for, filled, method,
                                                                           pattern):
    worker = users["case_worker"]
    since = last_event_id()

    response = getattr(client_for(worker), method)(_url(pattern, filled), {"version": 1, "status": "booked"})

    assert response.status_code == 404
    assert denials_since(since, worker) == 1


PARTNER_PAGES = [("get", "/cases/"), ("get", "/cases/new/"), ("get", "/centre/"), ("get", "/reports/referrals/"),
                 ("get", "/consent/"), ("get", "/cases/{a}/"), ("get", "/cases/{a}/edit/"),
                 ("get", "/referrals/from-case/{a}/"), ("get", "/consent/{consent}/form/"),
                 ("post", "/consent/{consent}/withdraw/"), ("get", "/consent/person/{mother}/new/"),
                 ("get", "/protection/{a}/profile/"), ("get", "/centre/{a}/stays/new/"),
                 ("get", "/cases/{a}/services/new/"), ("get", "/cases/{a}/movements/new/"),
                 *[(method, pattern.replace("{b}", "{a}")) for method, pattern in CROSS_CASE]]


@pytest.mark.parametrize(("method", "pattern"), PARTNER_PAGES)
def test_a_partner_user_reaches_no_case_page(users, client_for, filled, method, pattern):
    partner = users["partner_user"]
    since = last_event_id()

    response = getattr(client_for(partner), method)(_url(pattern, filled), {"version": 1})

    assert response.status_code == 404
    assert denials_since(since, partner) == 1


def test_the_shared_fields_of_a_partner_referral_stay_the_shared_ones(users, world, ngo_x):
    """What a referral from a case sends is the anonymous description and the consented categories only."""
    worker = users["case_worker"]
    shelter = Service.objects.create(organization=ngo_x, name="Shelter", accepts_sexes=["F"])
    consent_for(worker, world.mother, ngo_x, [DataCategory.IDENTITY])

    referral = services.refer_from_case(worker, world.case, person=world.mother, service=shelter,
                                        reason="Shelter.", categories=[DataCategory.IDENTITY])

    shared = sharing.loads(Referral.objects.get(pk=referral.pk).shared)
    assert set(shared) <= {*sharing.PROFILE_FIELDS, *(f.name for f in sharing.category_fields(DataCategory.IDENTITY))}
