"""The printable directory: the PDF booklet the office sends to consulates and NGOs, in Russian and English."""

import datetime
import io
import itertools

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from waypoint.audit.models import Action, AuditEvent
from waypoint.partners import demo, printable, taxonomy
from waypoint.partners.models import (
    Address,
    Contact,
    ExploitationType,
    Language,
    Location,
    LocationType,
    Organisation,
    OrganisationType,
    Phone,
    Schedule,
    Service,
    ServiceStatus,
)

pytestmark = pytest.mark.django_db

URL = "/partners/directory.pdf"
EN = "\N{EN DASH}"

# (name, alternate name, type, city, region, street address, services: (name, types, who, languages))
NETWORK = [
    ("Federal Migration Service", "FMS of Russia", OrganisationType.GOVERNMENT, "Moscow", "Moscow",
     "Boltinka St 9", [("Citizenship and residence permits", ["documents_migration"], {}, ["ru"])]),
    ("Federal Agency for the Development of the State Border", "Rosgranitsa", OrganisationType.GOVERNMENT,
     "Moscow", "Moscow", "Ul. Petrovka 17", []),
    ("Ministry of Foreign Affairs, Consular Department", "", OrganisationType.GOVERNMENT, "Moscow", "Moscow",
     "Smolenskaya-Sennaya Sq 32/34", [("Certificates of return", ["documents_migration"], {}, ["ru", "en"])]),
    ("Министерство социальной защиты Чеченской Республики", "", OrganisationType.SOCIAL, "Grozny",
     "Chechen Republic", "ул. Гикало, 9", [("Социальное сопровождение семей", ["social_support", "reintegration"],
                                          {}, ["ru", "ce"])]),
    ("Ministry of Interior, anti-trafficking unit", "", OrganisationType.LAW_ENFORCEMENT, "Moscow", "Moscow",
     "Zhitnaya St 16", [("Reports of trafficking situations", ["hotline"], {}, ["ru"])]),
    ("General Prosecutor's Office", "", OrganisationType.PROSECUTION, "Moscow", "Moscow",
     "Bolshaya Dmitrovka St 15a", []),
    ("City Tuberculosis Dispensary No. 1", "", OrganisationType.HEALTH, "St Petersburg", "St Petersburg",
     "Ligovsky Ave 56", [("TB screening and treatment", ["medical_care"], {}, ["ru"])]),
    ("Городской центр социальной помощи семье и детям", "", OrganisationType.SOCIAL, "St Petersburg",
     "St Petersburg", "ул. Садовая, 55", [
         ("Кризисное отделение для женщин", ["shelter", "psychological_help"],
          {"accepts_sexes": ["F"], "minimum_age": 18, "capacity": 14}, ["ru"]),
     ]),
    ("Angel Coalition", "", OrganisationType.NGO, "Moscow", "Moscow", "Novoslobodskaya St 20", [
        ("Trafficking hotline", ["hotline"], {}, ["ru", "en", "uz", "tg"]),
        ("Shelter for women victims of trafficking", ["shelter", "psychological_help"],
         {"accepts_sexes": ["F"], "minimum_age": 18,
          "accepts_exploitation_types": [ExploitationType.SEXUAL, ExploitationType.LABOUR], "capacity": 12}, ["ru"]),
    ]),
    ("St Petersburg Red Cross", "", OrganisationType.NGO, "St Petersburg", "St Petersburg", "Sovetskiy Per 4", [
        ("Information-consultation centre", ["hotline", "legal_aid"], {}, ["ru", "uz", "tg"]),
        ("Medical and social help for migrants", ["medical_care", "social_support"], {}, ["ru"]),
    ]),
    ("Russian Red Cross", "", OrganisationType.NGO, "Moscow", "Moscow", "Cheryomushkinsky Proezd 5", [
        ("Psychological support", ["psychological_help"], {}, ["ru"]),
    ]),
    ("Центр «Сёстры»", "Sisters Centre", OrganisationType.NGO, "Moscow", "Moscow", "ул. Лесная, 20", [
        ("Телефон доверия", ["hotline", "psychological_help"], {"accepts_sexes": ["F"]}, ["ru"]),
    ]),
    ("Civic Assistance Committee", "", OrganisationType.NGO, "Moscow", "Moscow", "Olimpiysky Ave 22", [
        ("Legal aid to refugees and forced migrants", ["legal_aid", "documents_migration"], {},
         ["ru", "en", "fr", "ar", "fa"]),
    ]),
    ("Migration and Law Network", "", OrganisationType.NGO, "Astrakhan", "Astrakhan Oblast", "Ul. Kirova 12", [
        ("Legal counselling for labour migrants", ["legal_aid", "employment"],
         {"accepts_nationalities": ["TJ", "UZ", "KG"]}, ["ru", "tg", "uz", "ky"]),
    ]),
    ("Karelian Centre for Women's Initiatives", "", OrganisationType.NGO, "Petrozavodsk", "Republic of Karelia",
     "Prospekt Lenina 24", [
         ("Crisis counselling", ["psychological_help"], {"accepts_sexes": ["F"], "minimum_age": 14}, ["ru", "fi"]),
     ]),
    ("Doctors to Children", "", OrganisationType.NGO, "St Petersburg", "St Petersburg", "Nab. Obvodnogo Kanala 93", [
        ("Street outreach for children", ["medical_care", "social_support"], {"maximum_age": 17}, ["ru"]),
    ]),
    ("Danish Refugee Council, North Caucasus", "DRC", OrganisationType.INTERNATIONAL, "Grozny", "Chechen Republic",
     "Ul. Lorsanova 3", [("Reintegration of returning families", ["reintegration", "social_support"], {}, ["ru"])]),
    ("World Health Organization, Moscow office", "WHO", OrganisationType.INTERNATIONAL, "Moscow", "Moscow",
     "Leontyevsky Per 9", []),
    ("UNHCR Representation in the Russian Federation", "UNHCR", OrganisationType.INTERNATIONAL, "Moscow", "Moscow",
     "Ul. Novoslobodskaya 20", [("Refugee status counselling", ["legal_aid", "documents_migration"], {},
                                ["ru", "en", "fr", "ar"])]),
    ("Embassy of the Republic of Tajikistan", "", OrganisationType.DIPLOMATIC, "Moscow", "Moscow",
     "Granatny Per 13", [("Consular assistance to citizens", ["documents_migration", "return_assistance"],
                          {"accepts_nationalities": ["TJ"]}, ["tg", "ru"])]),
    ("Embassy of the Republic of Uzbekistan", "", OrganisationType.DIPLOMATIC, "Moscow", "Moscow",
     "Pogorelsky Per 12", [("Consular assistance to citizens", ["documents_migration"],
                            {"accepts_nationalities": ["UZ"]}, ["uz", "ru"])]),
    ("Embassy of the Kyrgyz Republic", "", OrganisationType.DIPLOMATIC, "Moscow", "Moscow", "Ul. Bolshaya Ordynka 64",
     [("Consular assistance to citizens", ["documents_migration"], {"accepts_nationalities": ["KG"]}, ["ky", "ru"])]),
    ("IOM Tirana", "", OrganisationType.MISSION, "Tirana", "", "Rruga e Elbasanit", [
        ("Reception of returning victims", ["return_assistance", "reintegration"], {}, ["sq", "en"]),
    ]),
    ("IOM Pristina", "", OrganisationType.MISSION, "Pristina", "", "Rruga Ismail Qemali", [
        ("Reception of returning victims", ["return_assistance"], {}, ["sq", "sr", "en"]),
    ]),
    ("Department for Church Charity and Social Service", "", OrganisationType.RELIGIOUS, "Moscow", "Moscow",
     "Ul. Nikoloyamskaya 57", [("Night shelter", ["shelter"], {"minimum_age": 18, "capacity": 40}, ["ru"])]),
    ("Caritas Austria", "Caritas Österreich", OrganisationType.RELIGIOUS, "Vienna", "", "Albrechtskreithgasse 19", [
        ("Return counselling", ["return_assistance"], {}, ["de", "ru", "en"]),
    ]),
    ("Association of Journalists against Trafficking", "", OrganisationType.MEDIA, "Moscow", "Moscow",
     "Zubovsky Blvd 4", []),
    ("Delegation of the European Union to Russia", "", OrganisationType.DONOR, "Moscow", "Moscow",
     "Kadashevskaya Nab 14/1", []),
    ("St Petersburg State University, Faculty of Sociology", "", OrganisationType.ACADEMIC, "St Petersburg",
     "St Petersburg", "Ul. Smolnogo 1/3", [("Research on labour migration", ["education_training"], {}, ["ru", "en"])]),
    ("Chamber of Commerce and Industry", "", OrganisationType.OTHER, "Moscow", "Moscow", "Ul. Ilyinka 6", [
        ("Advice to employers of foreign workers", ["employment"], {}, ["ru"]),
    ]),
]


def build_directory(count: int = len(NETWORK)) -> list[Organisation]:
    """`count` active organisations with addresses, phones, hours and typed services (the network above,
    then its regional branches)."""
    taxonomy.ensure_service_types()
    made = []
    for number, (name, alternate, kind, city, region, street, services) in zip(
        range(count), itertools.cycle(NETWORK), strict=False,
    ):
        if number >= len(NETWORK):
            name = f"{name} (branch {number // len(NETWORK) + 1})"
        organisation = Organisation.objects.create(
            name=name, alternate_name=alternate, organisation_type=kind, city=city, region=region, country="RU",
            email=f"info{number}@partner.example.org", website=f"https://partner{number}.example.org/",
        )
        location = Location.objects.create(organization=organisation, location_type=LocationType.PHYSICAL)
        Address.objects.create(
            location=location, address_1=street, city=city, region=region, postal_code=f"19{number:04d}",
            country="RU", address_type=LocationType.PHYSICAL,
        )
        Phone.objects.create(location=location, number=f"+7 495 000-{number:02d}-10")
        Schedule.objects.create(
            location=location, freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at=datetime.time(9),
            closes_at=datetime.time(18),
        )
        for service_name, types, who, languages in services:
            service = Service.objects.create(organization=organisation, name=service_name, **who)
            taxonomy.set_service_types(service, types)
            for code in languages:
                Language.objects.create(service=service, code=code)
        made.append(organisation)
    return made


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def directory():
    return build_directory()


@pytest.fixture
def small_directory():
    """Enough for the download and the command: the first ten organisations of the network."""
    return build_directory(10)


# --- The booklet ---------------------------------------------------------------------------------------------
def test_the_directory_is_a_pdf_of_several_pages(directory):
    pdf = printable.directory_pdf("en")

    pages, text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF")
    assert pages > 3
    assert "Directory of organisations working in migration and prevention of trafficking" in text
    assert f"Page 2 of {pages}" in text
    assert f"Page {pages} of {pages}" in text


def test_the_english_edition_has_english_labels(directory):
    _pages, text = pdf_text(printable.directory_pdf("en"))

    for label in ["Contents", "Non-governmental organisation", "Embassy or consulate", "Opening hours",
                  f"Monday{EN}Friday 09:00{EN}18:00", "Accepts", "Shelter · Psychological help", "Uzbek",
                  "Women, 18+, victims of sexual exploitation, forced labour", "Russian Federation"]:
        assert label in text, label


def test_the_russian_edition_is_in_russian_and_keeps_proper_names(directory):
    _pages, text = pdf_text(printable.directory_pdf("ru"))

    # Types, days, languages and countries in Russian; names of organisations as they are stored.
    for russian in ["Неправительственная организация", f"Понедельник{EN}пятница 09:00{EN}18:00", "узбекский",
                    "Российская Федерация", "Центр «Сёстры»", "Кризисное отделение для женщин"]:
        assert russian in text, russian
    assert "Angel Coalition" in text
    assert "Non-governmental organisation" not in text
    assert "Monday" not in text


def test_organisations_are_grouped_by_type_and_sorted_by_name(directory):
    with translation.override("en"):
        found = printable.sections()

    assert [section.code for section in found] == [
        kind.value for kind in OrganisationType if any(row[2] == kind for row in NETWORK)
    ]
    ngos = next(section for section in found if section.code == OrganisationType.NGO)
    names = [entry.name for entry in ngos.entries]
    assert names == sorted(names, key=str.casefold)
    assert names[0] == "Angel Coalition"


def test_inactive_organisations_and_defunct_services_are_left_out(small_directory):
    closed = Organisation.objects.create(name="Closed Shelter Foundation", organisation_type=OrganisationType.NGO,
                                         is_active=False)
    Service.objects.create(organization=closed, name="Beds of a closed foundation")
    angel = Organisation.objects.get(name="Angel Coalition")
    Service.objects.create(organization=angel, name="Drop-in centre closed in 2024", status=ServiceStatus.DEFUNCT)
    Service.objects.create(organization=angel, name="Summer camp", status=ServiceStatus.TEMPORARILY_CLOSED)

    text = pdf_text(printable.directory_pdf("en"))[1]

    assert "Closed Shelter Foundation" not in text
    assert "Beds of a closed foundation" not in text
    assert "Drop-in centre closed in 2024" not in text
    assert "Summer camp · Temporarily closed" in text


def test_no_personal_contact_is_printed(small_directory):
    angel = Organisation.objects.get(name="Angel Coalition")
    person = Contact.objects.create(organization=angel, name="Irina Petrova", title="Head of the shelter",
                                    email="i.petrova@angel.example.org")
    Phone.objects.create(contact=person, organization=angel, number="+7 916 555-12-34")
    Phone.objects.create(organization=angel, number="+7 495 111-22-33", type="fax")

    _pages, text = pdf_text(printable.directory_pdf("en"))

    assert "+7 495 111-22-33 (fax)" in text
    for personal in ["Irina Petrova", "Head of the shelter", "i.petrova", "555-12-34"]:
        assert personal not in text


def test_a_selection_by_type_and_region(directory):
    with translation.override("en"):
        html = printable.render_html("en", organisation_types=[OrganisationType.NGO], region="st petersburg")

    assert "St Petersburg Red Cross" in html
    assert "Doctors to Children" in html
    assert "Angel Coalition" not in html  # an NGO, in Moscow
    assert "City Tuberculosis Dispensary" not in html  # St Petersburg, not an NGO
    assert "Region: st petersburg" in html


def test_the_region_is_matched_in_any_case_in_cyrillic_too(directory):
    Organisation.objects.create(name="Кризисный центр", organisation_type=OrganisationType.NGO, region="Карелия")

    html = printable.render_html("ru", region="КАРЕЛИЯ")

    assert "Кризисный центр" in html
    assert "Angel Coalition" not in html


def test_the_download_shows_what_the_policy_lets_the_user_see(users, small_directory, monkeypatch):
    """The booklet is a list like any other: organisations and services go through policy.scope."""
    angel = Organisation.objects.get(name="Angel Coalition")
    scoped = []

    def only_angel(user, queryset, action="view"):
        scoped.append((user, queryset.model))
        return queryset.filter(pk=angel.pk) if queryset.model is Organisation else queryset.none()

    monkeypatch.setattr(printable.policy, "scope", only_angel)

    html = printable.render_html("en", user=users["partner_user"])

    assert {model for _user, model in scoped} == {Organisation, Service}
    assert "Angel Coalition" in html
    assert "Federal Migration Service" not in html
    assert "Trafficking hotline" not in html  # a service of Angel Coalition, hidden by the policy


def test_an_empty_selection_still_makes_a_booklet():
    pages, text = pdf_text(printable.directory_pdf("en", region="Nowhere"))

    assert pages == 2
    assert "No organisation matches this selection." in text
    assert "0 organisations" in text


def test_a_directory_of_sixty_organisations_runs_to_many_pages():
    # How fast it is lives in bench/directory.py, not here.
    build_directory(60)

    pdf = printable.directory_pdf("ru")

    assert pdf_text(pdf)[0] > 10


def test_the_demo_directory_prints_every_active_organisation():
    demo.load(io.StringIO())
    active = list(Organisation.objects.filter(is_active=True).values_list("name", flat=True))

    html = printable.render_html("ru")

    assert len(active) >= 30
    assert all(escape(name) in html for name in active)


# --- Opening hours in words ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("byday", "opens", "closes", "english"),
    [
        ("MO,TU,WE,TH,FR", 9, 18, f"Monday{EN}Friday 09:00{EN}18:00"),
        ("SA,SU", 10, 14, f"Saturday, Sunday 10:00{EN}14:00"),
        ("MO,WE,TH,FR,SA", 9, 13, f"Monday, Wednesday{EN}Saturday 09:00{EN}13:00"),
        ("FR,MO,TU,WE", 9, 17, f"Monday{EN}Wednesday, Friday 09:00{EN}17:00"),
        ("1MO", 10, 12, f"First Monday of the month 10:00{EN}12:00"),
        ("-1FR", 15, 17, f"Last Friday of the month 15:00{EN}17:00"),
        ("", 8, 20, f"08:00{EN}20:00"),
        ("MO,TU,WE,TH,FR,SA,SU", 10, 22, f"Every day 10:00{EN}22:00"),
    ],
)
def test_opening_hours_in_words(byday, opens, closes, english):
    schedule = Schedule(byday=byday, opens_at=datetime.time(opens), closes_at=datetime.time(closes))

    with translation.override("en"):
        assert printable.schedule_in_words(schedule) == english


def test_opening_hours_in_russian():
    schedule = Schedule(byday="MO,TU,WE,TH,FR", opens_at=datetime.time(9), closes_at=datetime.time(18))

    with translation.override("ru"):
        assert printable.schedule_in_words(schedule) == f"Понедельник{EN}пятница 09:00{EN}18:00"


@pytest.mark.parametrize(
    "fields", [{"byday": "20130101T000000"}, {"byday": "5MO"}, {"byday": "MO;TU"}, {"bymonthday": "1,15"},
               {"byday": "MO", "interval": 2}],
)
def test_a_schedule_the_words_cannot_say_falls_back_to_its_description(fields):
    without_hours = Schedule(description="By appointment", **fields)
    with_hours = Schedule(description="By appointment", opens_at=datetime.time(10), closes_at=datetime.time(12),
                          **fields)

    assert printable.schedule_in_words(without_hours) == "By appointment"
    assert printable.schedule_in_words(with_hours) == f"10:00{EN}12:00 (By appointment)"


def test_hours_that_have_ended_are_not_printed():
    ended = Schedule(byday="MO", opens_at=datetime.time(9), closes_at=datetime.time(12),
                     valid_to=timezone.localdate() - datetime.timedelta(days=1))
    current = Schedule(byday="TU", opens_at=datetime.time(9), closes_at=datetime.time(12))

    with translation.override("en"):
        assert printable.hours_of([ended, current]) == [f"Tuesday 09:00{EN}12:00"]


def test_the_page_counter_is_safe_css():
    with translation.override("en"):
        assert printable.page_counter_css() == '"Page " counter(page) " of " counter(pages)'
    assert printable.css_string('a"b</style>') == '"a\\22 b\\3c /style\\3e "'


# --- The download --------------------------------------------------------------------------------------------
def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_partner_user_downloads_the_directory(users, client_for, small_directory, language):
    before = last_event_id()

    response = client_for(users["partner_user"]).get(URL, {"language": language})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="waypoint-directory-{language}-{today}.pdf"'
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(pk__gt=before, action=Action.EXPORT)
    assert (event.actor_id, event.object_type, event.object_id) == (
        users["partner_user"].pk, "partners.directory_pdf", language,
    )


def test_the_edition_defaults_to_the_users_language(users, client_for, small_directory):
    client = client_for(users["case_worker"])
    client.post("/accounts/language/", {"language": "ru", "next": "/"})

    response = client.get(URL)

    assert response.status_code == 200
    assert "-ru-" in response["Content-Disposition"]
    assert "Неправительственная организация" in pdf_text(response.content)[1]


def test_the_type_filter_of_the_download(users, client_for, directory):
    response = client_for(users["hotline_operator"]).get(
        URL, {"language": "en", "type": [OrganisationType.DIPLOMATIC, OrganisationType.MISSION]},
    )

    text = pdf_text(response.content)[1]
    assert "Embassy of the Republic of Tajikistan" in text
    assert "IOM Tirana" in text
    assert "Angel Coalition" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"language": "de"}, "Language: the directory is printed in English (en) or Russian (ru) only."),
        ({"language": "en", "type": "shelter"}, "Type: there is no organisation type “shelter”."),
        ({"language": "en", "region": "x" * 151}, "Region: at most 150 characters."),
    ],
)
def test_a_request_that_makes_no_sense_is_answered_with_the_reason(users, client_for, query, message):
    before = last_event_id()

    response = client_for(users["case_worker"]).get(URL, query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(pk__gt=before, action=Action.EXPORT).exists()


def test_a_learner_is_refused_and_the_refusal_audited(users, client_for, small_directory):
    before = last_event_id()

    response = client_for(users["learner"]).get(URL, {"language": "en"})

    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")
    denial = AuditEvent.objects.get(pk__gt=before, action=Action.DENY)
    assert (denial.actor_id, denial.object_type, denial.object_id) == (users["learner"].pk, "capability",
                                                                       "view_directory")
    assert not AuditEvent.objects.filter(pk__gt=before, action=Action.EXPORT).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL, {"language": "en"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_directory_is_not_offered_by_post(users, client_for):
    assert client_for(users["case_worker"]).post(URL, {"language": "en"}).status_code == 405


# --- The command -----------------------------------------------------------------------------------------------
def test_the_command_writes_the_booklet(directory, tmp_path):
    target = tmp_path / "directory-ru.pdf"
    before = last_event_id()

    call_command("export_directory_pdf", str(target), "--language", "ru", "--type", "diplomatic",
                 stdout=io.StringIO())

    text = pdf_text(target.read_bytes())[1]
    assert "Embassy of the Kyrgyz Republic" in text
    assert "Angel Coalition" not in text
    assert not list(tmp_path.glob("*.partial"))
    event = AuditEvent.objects.get(pk__gt=before, action=Action.EXPORT)
    assert (event.object_type, event.object_id, event.actor_username) == ("partners.directory_pdf", "ru", "manage.py")


def test_the_command_refuses_a_folder_that_does_not_exist(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such folder"):
        call_command("export_directory_pdf", str(tmp_path / "missing" / "x.pdf"), "--language", "en")
