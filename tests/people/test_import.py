# ruff: noqa: RUF001, RUF003
"""Import of persons from CSV and XLSX: reading and checking every row, the preview before anything is saved,
errors that name the row and the column, all-or-nothing saving with indexing and one audit event, and who may
import."""

import datetime
import hashlib
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.core.test_security import inline_code
from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.core.crypto import blind_index
from waypoint.people import importing, index, lookup, services
from waypoint.people.models import IdentityDocument, NameKey, Person, PersonAlias, ProgrammeRegistration

pytestmark = pytest.mark.django_db

CT = Programme.COUNTER_TRAFFICKING
HEADER = "family_name,given_name,patronymic,sex,birth_date,citizenships,languages,phone,email,document_type,"\
    "document_number,document_country,document_issued_on,other_names"
GOOD_ROWS = [
    "Ковальчук,Юлия,Ивановна,F,1990-03-04,UA;RU,uk,+7 916 000 00 01,yulia@example.org,passport,"
    "FA 123456,UA,2015-06-01,Kowaltschuk Julia",
    "Рахимов,Фаррух,,M,1985,TJ,\"tg,ru\",,,,,,,",
    "Петрова,Анна,Сергеевна,,12.07.2001,RU,,,,internal_passport,45 06 123456,RU,,",
]


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False, delimiter: str = ",") -> bytes:
    text = "\r\n".join([header, *lines]) + "\r\n"
    if delimiter != ",":
        text = text.replace(",", delimiter)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def read(data: bytes, name: str = "people.csv") -> importing.ParsedImport:
    return importing.read_file(io.BytesIO(data), name)


def errors_of(parsed) -> set[tuple]:
    return {(error.row, error.column) for error in parsed.errors}


@pytest.fixture
def manager(users):
    return users[Role.PROGRAMME_MANAGER]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def import_events():
    return AuditEvent.objects.filter(object_type="people.import")


# --- Reading ------------------------------------------------------------------------------------
def test_a_good_csv_file_reads_into_rows_ready_to_save():
    parsed = read(csv_bytes(*GOOD_ROWS))

    assert parsed.errors == []
    assert parsed.ok
    assert parsed.row_count == 3
    assert parsed.file_type == "csv"
    first, second, third = parsed.rows
    assert first["row"] == 2
    assert first["person"]["family_name_latin"] == "Kovalchuk"
    assert first["person"]["given_name_latin"] == "Iuliia"
    assert first["person"]["latin_is_custom"] is False
    assert first["person"]["citizenships"] == ["UA", "RU"]
    assert first["person"]["birth_date"] == datetime.date(1990, 3, 4)
    assert first["document"]["number"] == "FA123456"
    assert first["aliases"] == [{"family_name": "Kowaltschuk", "given_name": "Julia", "patronymic": ""}]
    assert (second["person"]["birth_date"], second["person"]["birth_date_precision"]) == (
        datetime.date(1985, 1, 1), "year"
    )
    assert second["person"]["languages"] == ["tg", "ru"]
    assert second["document"] is None
    assert third["person"]["birth_date"] == datetime.date(2001, 7, 12)
    assert third["document"]["document_type"] == "internal_passport"
    assert parsed.sha256 == hashlib.sha256(csv_bytes(*GOOD_ROWS)).hexdigest()


def test_the_latin_form_is_what_registration_computes():
    parsed = read(csv_bytes(*GOOD_ROWS))
    for row in parsed.rows:
        person = Person(**{name: row["person"][name] for name in ("given_name", "family_name", "patronymic")})
        services.fill_latin(person)
        assert (row["person"]["given_name_latin"], row["person"]["family_name_latin"],
                row["person"]["patronymic_latin"]) == (
            person.given_name_latin, person.family_name_latin, person.patronymic_latin)


def test_a_typed_latin_form_is_kept_and_marks_the_form_as_typed():
    header = "family_name,given_name,family_name_latin"
    parsed = read(csv_bytes("Щербаков,Юрий,SHCHERBAKOV", header=header))

    person = parsed.rows[0]["person"]
    assert person["family_name_latin"] == "SHCHERBAKOV"
    assert person["given_name_latin"] == "Iurii"  # not typed: computed
    assert person["latin_is_custom"] is True


def test_semicolons_a_byte_order_mark_and_russian_column_names_are_understood():
    header = "Фамилия;Имя;Отчество;Пол;Дата рождения;Гражданство;Номер документа;Тип документа"
    data = csv_bytes("Иванов;Иван;Иванович;М;01.02.1980;RU,TJ;4506 123456;Паспорт", header=header, bom=True)

    parsed = read(data)

    assert parsed.errors == []
    person = parsed.rows[0]["person"]
    assert (person["family_name"], person["sex"], person["citizenships"]) == ("Иванов", "M", ["RU", "TJ"])
    assert parsed.rows[0]["document"]["document_type"] == "passport"


def test_empty_lines_are_skipped_and_rows_keep_their_numbers_in_the_file():
    parsed = read(csv_bytes("Иванов,Иван", "", ",", "Петров,", header="family_name,given_name"))

    assert [row["row"] for row in parsed.rows] == [2, 5]
    assert parsed.row_count == 2


def test_wrong_columns_give_one_error_naming_them_and_no_row_is_read():
    parsed = read(csv_bytes("Иванов,Иван,x", header="Surname,Имя,Nationality"))

    [error] = parsed.errors
    assert error.row == 1
    assert "Nationality" in error.message
    assert "Nationality" in error.column
    assert parsed.rows == []
    assert parsed.row_count == 0


def test_a_file_without_a_name_column_is_refused():
    [error] = read(csv_bytes("1990-01-01", header="birth_date")).errors

    assert "family_name" in error.message
    assert "given_name" in error.message


def test_a_windows_1251_file_is_refused_with_how_to_save_it_as_utf8():
    data = "family_name,given_name\r\nИванов,Иван\r\n".encode("cp1251")

    [error] = read(data).errors

    assert error.row is None
    assert "UTF-8" in error.message
    assert "Windows-1251" in error.message
    assert "CSV UTF-8" in error.message


def test_an_old_excel_file_and_a_false_xlsx_are_refused():
    assert "xls" in read(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "people.xls").errors[0].message
    assert read(b"family_name\r\nX\r\n", "people.xlsx").errors[0].row is None
    assert read(b"PK\x03\x04broken", "people.xlsx").errors[0].row is None


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 100)

    [error] = read(csv_bytes(*GOOD_ROWS)).errors

    assert "MB" in error.message


def test_a_header_without_rows_is_an_error():
    assert read(csv_bytes(header="family_name")).errors


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (",,,F", "family_name", "family name or a given name"),
        ("Ивaнов,Иван", "family_name", "mixes alphabets"),  # a Latin "a" in a Cyrillic name
        ("Иванов,Иван,,,2999-01-01", "birth_date", "future"),
        ("Иванов,Иван,,,1800-01-01", "birth_date", "120"),
        ("Иванов,Иван,,,31.02.1990", "birth_date", "YYYY"),
        ("Иванов,Иван,,,,XX", "citizenships", "XX"),
        ("Иванов,Иван,,,,,zz", "languages", "zz"),
        ("Иванов,Иван,,Q", "sex", "F, M or X"),
        ("Иванов,Иван,,,,,,,not-an-email", "email", "email"),
        ("Иванов,Иван,,,,,,,,passport,12", "document_number", "4 to 20"),
        ("Иванов,Иван,,,,,,,,passport,AB 12*34", "document_number", "4 to 20"),
        ("Иванов,Иван,,,,,,,,,AB123456", "document_type", "passport"),
        ("Иванов,Иван,,,,,,,,visa,AB123456", "document_type", "passport"),
        ("Иванов,Иван,,,,,,,,passport,,RU", "document_number", "document number"),
        ("Иванов,Иван,,,,,,,,passport,AB123456,ZZ", "document_country", "ZZ"),
        ("Иванов,Иван,,,,,,,,passport,AB123456,,2999-01-01", "document_issued_on", "future"),
        ("Иванов,Иван,,,1990-01-01,,,,,passport,AB123456,,1980-01-01", "document_issued_on", "before"),
        ("Иванов,Иван,,,,,,,,,,,,Smith Jоhn", "other_names", "Smith Jоhn"),  # a Cyrillic "о" in John
    ],
)
def test_each_bad_value_is_reported_with_its_row_and_column(row, column, words):
    parsed = read(csv_bytes("Петров,Пётр", row, "Сидоров,Сидор"))

    assert errors_of(parsed) == {(3, column)}, parsed.errors
    assert words.lower() in parsed.errors[0].message.lower()
    assert not parsed.ok


def test_every_problem_of_a_file_is_reported_not_only_the_first():
    parsed = read(csv_bytes("Ивaнов,Иван,,,2999-01-01,XX", "Петров,Пётр", ",,,,1800-01-01"))

    assert errors_of(parsed) == {(2, "family_name"), (2, "birth_date"), (2, "citizenships"),
                                 (4, "family_name"), (4, "birth_date")}
    assert parsed.rows_with_errors == 2


def test_errors_name_the_column_as_headed_in_the_file():
    parsed = read(csv_bytes("Иванов;Иван;2999-01-01", header="Фамилия;Имя;Дата рождения", delimiter=";"))

    assert errors_of(parsed) == {(2, "Дата рождения")}


def test_a_value_under_a_column_without_a_name_is_an_error():
    parsed = read(csv_bytes("Иванов,Иван,,surprise", header="family_name,given_name"))

    assert errors_of(parsed) == {(2, "D")}


# --- XLSX ---------------------------------------------------------------------------------------
def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_workbook_is_read_with_its_date_and_number_cells():
    data = xlsx_bytes([
        ["Фамилия", "Имя", "birth_date", "citizenships", "document_type", "document_number", "document_issued_on"],
        ["Ковальчук", "Юлия", datetime.datetime(1990, 3, 4), "UA", "passport", 12345678, datetime.date(2015, 6, 1)],
        [None, None, None, None, None, None, None],
        ["Рахимов", "Фаррух", 1985, "TJ", None, None, None],
    ])

    parsed = read(data, "people.xlsx")

    assert parsed.errors == []
    assert parsed.file_type == "xlsx"
    first, second = parsed.rows
    assert first["person"]["birth_date"] == datetime.date(1990, 3, 4)
    assert first["document"]["number"] == "12345678"
    assert first["document"]["issued_on"] == datetime.date(2015, 6, 1)
    assert (second["row"], second["person"]["birth_date_precision"]) == (4, "year")


def test_xlsx_errors_name_the_row_of_the_sheet():
    data = xlsx_bytes([["family_name", "given_name", "birth_date"], ["Иванов", "Иван", datetime.datetime(2999, 1, 1)]])

    assert errors_of(read(data, "x.xlsx")) == {(2, "birth_date")}


# --- Saving -------------------------------------------------------------------------------------
def test_an_import_saves_persons_registered_indexed_searchable_and_audited(manager):
    parsed = read(csv_bytes(*GOOD_ROWS))

    ids = importing.import_rows(manager, parsed, programme=CT)

    assert len(ids) == 3
    assert Person.objects.count() == 3
    yulia = Person.objects.get(pk=ids[0])
    assert (yulia.family_name, yulia.family_name_latin, yulia.given_name_latin) == ("Ковальчук", "Kovalchuk", "Iuliia")
    assert yulia.created_by == manager
    assert yulia.phone == "+7 916 000 00 01"
    assert yulia.email == "yulia@example.org"
    assert yulia.created_at is not None
    assert yulia.version == 1
    yulia.full_clean()  # what was saved passes the model's own rules
    assert set(ProgrammeRegistration.objects.values_list("person_id", "programme")) == {(pk, CT) for pk in ids}
    registration = ProgrammeRegistration.objects.get(person=yulia)
    assert (registration.registered_by, registration.office) == (manager, manager.office)
    # Indexed exactly as registration indexes: the matching keys of every name form, aliases included.
    alias = PersonAlias.objects.get(person=yulia)
    assert (alias.family_name, alias.given_name, alias.kind) == ("Kowaltschuk", "Julia", "spelling")
    for person in Person.objects.all():
        stored = set(NameKey.objects.filter(person=person).values_list("key", "kind"))
        assert stored == {(row.key, row.kind) for row in index.key_rows(person)}
    # Found by the one-box search, in the other alphabet, and by document number.
    assert [c.person.pk for c in lookup.search(manager, "Kovalchuk")][:1] == [yulia.pk]
    assert [c.person.pk for c in lookup.search(manager, "Kowaltschuk Julia")][:1] == [yulia.pk]
    document = IdentityDocument.objects.get(person=yulia)
    assert document.number == "FA123456"
    assert document.number_index == blind_index("FA123456", purpose="identity-document-number")
    assert IdentityDocument.objects.filter(
        number_index=blind_index("fa 123-456", purpose="identity-document-number")
    ).get() == document
    assert [c.person.pk for c in lookup.search(manager, "45 06 123456")] == [ids[2]]
    document.full_clean()
    # One event for the whole import, without the file's name.
    [event] = import_events()
    assert (event.action, event.actor_id) == (Action.CREATE, manager.pk)
    assert event.changes["count"] == [None, "3"]
    assert event.changes["first_person"] == [None, str(ids[0])]
    assert event.changes["last_person"] == [None, str(ids[-1])]
    assert event.changes["programme"] == [None, CT]
    assert event.changes["sha256"] == [None, parsed.sha256]
    assert event.changes["file_type"] == [None, "csv"]
    assert "people.csv" not in str(event.changes)


def test_encrypted_values_are_encrypted_each_time(manager):
    """Prepared values are cached for speed, but never ciphertexts: equal phones must not look equal."""
    parsed = read(csv_bytes("Иванов,Иван,,,,,,+7 900", "Петров,Пётр,,,,,,+7 900"))
    importing.import_rows(manager, parsed, programme=CT)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_person")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(set(stored)) == 2
    assert all(value.startswith("fernet:") for value in stored)


def test_an_xlsx_import_saves_too(manager):
    data = xlsx_bytes([["family_name", "given_name"], ["Ковальчук", "Юлия"]])

    ids = importing.import_rows(manager, read(data, "x.xlsx"), programme=CT)

    assert Person.objects.get(pk=ids[0]).family_name_latin == "Kovalchuk"
    assert import_events().get().changes["file_type"] == [None, "xlsx"]


def test_a_file_with_errors_is_not_imported(manager):
    parsed = read(csv_bytes(*GOOD_ROWS, "Ивaнов,Иван"))

    with pytest.raises(ValidationError):
        importing.import_rows(manager, parsed, programme=CT)

    assert not Person.objects.exists()
    assert not import_events().exists()


def test_an_import_is_all_or_nothing(manager, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    original = importing.BulkWriter.insert
    batches = []

    def failing(self, objs, **kwargs):
        if self.model is Person:
            batches.append(len(objs))
            if len(batches) == 2:
                raise RuntimeError("the database went away")
        return original(self, objs, **kwargs)

    monkeypatch.setattr(importing.BulkWriter, "insert", failing)
    parsed = read(csv_bytes(*GOOD_ROWS))

    with pytest.raises(RuntimeError):
        importing.import_rows(manager, parsed, programme=CT)

    assert batches == [2, 1]
    for model in (Person, ProgrammeRegistration, IdentityDocument, PersonAlias, NameKey):
        assert not model.objects.exists(), model
    assert not import_events().exists()


def test_importing_many_rows_goes_in_batches(manager, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 7)
    lines = [f"Иванов,Иван{'а' * (n % 3)},,,{1950 + n}" for n in range(30)]

    ids = importing.import_rows(manager, read(csv_bytes(*lines)), programme=CT)

    assert ids == sorted(ids)
    assert len(set(ids)) == 30
    assert list(Person.objects.order_by("pk").values_list("birth_date", flat=True)) == [
        datetime.date(1950 + n, 1, 1) for n in range(30)
    ]
    assert NameKey.objects.values("person").distinct().count() == 30


def test_only_a_programme_manager_imports_and_only_into_their_programmes(users, manager):
    parsed = read(csv_bytes(*GOOD_ROWS))

    with pytest.raises(PermissionDenied):
        importing.import_rows(manager, parsed, programme=Programme.RETURN)
    with pytest.raises(PermissionDenied):
        importing.import_rows(users[Role.CASE_WORKER], parsed, programme=CT)
    assert not Person.objects.exists()


# --- The pages ----------------------------------------------------------------------------------
def upload(client, data: bytes, name: str = "people.csv", programme: str = CT):
    return client.post(reverse("people:import"), {"file": SimpleUploadedFile(name, data), "programme": programme})


def stored_files(media):
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_upload_preview_then_confirm(manager, client_for, media):
    client = client_for(manager)
    page = client.get(reverse("people:import"))
    assert page.status_code == 200
    assert inline_code(page.content.decode()) == []

    response = upload(client, csv_bytes(*GOOD_ROWS))

    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert response["Location"] == reverse("people:import_preview", args=[token])
    [stored] = stored_files(media)
    assert stored.name == f"{token}.csv"
    assert stored.read_bytes() == csv_bytes(*GOOD_ROWS)
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert preview.status_code == 200
    assert inline_code(html) == []
    assert "Ковальчук Юлия Ивановна" in html
    assert "Kovalchuk Iuliia Ivanovna" in html
    assert "FA123456" not in html
    assert "456" in html
    assert 'value="confirm"' in html
    assert not Person.objects.exists()  # nothing before the user confirms

    confirmed = client.post(response["Location"], {"action": "confirm"})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/people/"
    assert Person.objects.count() == 3
    assert stored_files(media) == []
    assert import_events().count() == 1
    followed = client.get(confirmed["Location"])
    assert "3 persons imported" in followed.content.decode()
    # The token is used up: confirming again imports nothing.
    assert client.post(response["Location"], {"action": "confirm"}).status_code == 404
    assert Person.objects.count() == 3


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(manager, client_for, media):
    client = client_for(manager)
    response = upload(client, csv_bytes(*GOOD_ROWS, "Ивaнов,Иван,,,2999-01-01"))

    preview = client.get(response["Location"])
    html = preview.content.decode()

    assert 'value="confirm"' not in html
    assert "Upload a corrected file" in html
    assert "mixes alphabets" in html
    assert "in the future" in html
    assert preview.context["error_count"] == 2
    assert client.post(response["Location"], {"action": "confirm"}).status_code == 200
    assert not Person.objects.exists()


def test_cancel_deletes_the_uploaded_file(manager, client_for, media):
    client = client_for(manager)
    response = upload(client, csv_bytes(*GOOD_ROWS))

    cancelled = client.post(response["Location"], {"action": "cancel"})

    assert cancelled.status_code == 302
    assert cancelled["Location"] == reverse("people:import")
    assert stored_files(media) == []
    assert client.get(response["Location"]).status_code == 404
    assert not Person.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(manager, client_for, media):
    client = client_for(manager)

    wrong_columns = upload(client, csv_bytes("x", header="Nationality"))
    wrong_encoding = upload(client, "family_name\r\nИванов\r\n".encode("cp1251"))

    assert wrong_columns.status_code == 200
    assert "Nationality" in wrong_columns.content.decode()
    assert wrong_encoding.status_code == 200
    assert "Windows-1251" in wrong_encoding.content.decode()
    assert stored_files(media) == []


def test_a_changed_file_is_not_imported(manager, client_for, media):
    client = client_for(manager)
    response = upload(client, csv_bytes(*GOOD_ROWS))
    [stored] = stored_files(media)
    stored.write_bytes(csv_bytes("Другой,Человек"))

    confirmed = client.post(response["Location"], {"action": "confirm"})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("people:import")
    assert not Person.objects.exists()


def test_the_programme_must_be_one_of_the_users(manager, client_for, media):
    response = upload(client_for(manager), csv_bytes(*GOOD_ROWS), programme=Programme.RETURN)

    assert response.status_code == 200
    assert response.context["form"].errors["programme"]
    assert stored_files(media) == []


def test_the_empty_file_with_the_columns_can_be_downloaded(manager, client_for):
    response = client_for(manager).get(reverse("people:import_template"))

    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert body.strip("\ufeff\r\n") == ",".join(importing.COLUMNS)
    assert "no persons" in read(response.content).errors[0].message


@pytest.mark.parametrize("persona", ["case_worker", "learner", "partner_user", "hotline_operator", "administrator"])
def test_only_programme_managers_see_the_import_pages(users, client_for, persona, manager, media):
    token = upload(client_for(manager), csv_bytes(*GOOD_ROWS))["Location"].rstrip("/").rsplit("/", 1)[-1]
    client = client_for(users[persona])
    before = AuditEvent.objects.filter(action=Action.DENY).count()

    assert client.get(reverse("people:import")).status_code == 404
    assert client.get(reverse("people:import_template")).status_code == 404
    assert upload(client, csv_bytes(*GOOD_ROWS)).status_code == 404
    assert client.get(reverse("people:import_preview", args=[token])).status_code == 404
    assert client.post(reverse("people:import_preview", args=[token]), {"action": "confirm"}).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENY).count() == before + 5
    assert not Person.objects.exists()


def test_another_managers_token_is_not_found(make_user, client_for, manager, media):
    other = make_user(Role.PROGRAMME_MANAGER, "manager_b", programmes=[CT])
    location = upload(client_for(manager), csv_bytes(*GOOD_ROWS))["Location"]
    client = client_for(other)

    assert client.get(location).status_code == 404
    assert client.post(location, {"action": "confirm"}).status_code == 404
    assert client.post(location, {"action": "cancel"}).status_code == 404
    assert not Person.objects.exists()
    assert len(stored_files(media)) == 1
    denial = AuditEvent.objects.filter(action=Action.DENY, object_type="people.import").last()
    assert denial.actor_id == other.pk


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("people:import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Fidelity of the fast saving path -----------------------------------------------------------
TRICKY = [
    "family_name,given_name,patronymic,family_name_latin,given_name_latin,patronymic_latin,birth_date,other_names",
    "Ґрищенко,Олеся,Іванівна,,,,1991-05-06,Hryshchenko Olesia",
    "Ковальчук,Иван Петрович,,,,,1980,",  # a patronymic typed after the given name
    "Анна-Мария,Де ла Круз,,,,,,",
    "Щербаков,Юрий,,SHCHERBAKOV,YURIY,,1975-01-02,\"Sherbakov, Yuri Ivanovich; Щербаков Юра\"",
    "O'Neil,Шахноза,,,,,,",
    "Smith,John,,,,,2000-02-29,Смит Джон",
]


def test_imported_persons_have_exactly_the_matching_keys_registration_gives_them(manager):
    parsed = read("\r\n".join(TRICKY).encode())
    assert parsed.errors == []

    importing.import_rows(manager, parsed, programme=CT)

    assert Person.objects.count() == len(TRICKY) - 1
    for person in Person.objects.all():
        stored = sorted(NameKey.objects.filter(person=person).values_list("key", "kind"))
        assert stored == sorted((row.key, row.kind) for row in index.key_rows(person)), person


def test_imported_rows_hold_what_the_orm_would_have_written(manager):
    """The import prepares values itself (for speed): compare with the same person saved by the ORM."""
    parsed = read(csv_bytes(GOOD_ROWS[0]))
    row = parsed.rows[0]
    [pk] = importing.import_rows(manager, parsed, programme=CT)
    by_orm = Person.objects.create(created_by=manager, **row["person"])
    IdentityDocument.objects.create(person=by_orm, **row["document"])
    ignored = {"id", "created_at", "updated_at"}

    imported, expected = (Person.objects.filter(pk=key).values().get() for key in (pk, by_orm.pk))
    assert {k: v for k, v in imported.items() if k not in ignored} == {
        k: v for k, v in expected.items() if k not in ignored
    }
    imported_doc, expected_doc = (
        IdentityDocument.objects.filter(person_id=key).values().get() for key in (pk, by_orm.pk)
    )
    ignored |= {"person_id"}
    assert {k: v for k, v in imported_doc.items() if k not in ignored} == {
        k: v for k, v in expected_doc.items() if k not in ignored
    }
    assert imported["created_at"] is not None


def test_the_sample_file_in_the_documentation_imports_cleanly(manager):
    from django.conf import settings

    data = (settings.BASE_DIR / "docs" / "samples" / "people-import.csv").read_bytes()
    parsed = read(data)

    assert parsed.errors == []
    assert len(importing.import_rows(manager, parsed, programme=CT)) == 4


def test_a_file_with_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)

    parsed = read(csv_bytes(*GOOD_ROWS))

    assert [error.row for error in parsed.errors] == [None]
    assert "more than 2 rows" in parsed.errors[0].message


def test_files_left_by_ended_sessions_are_deleted_at_the_next_upload(manager, client_for, media):
    import os
    import time

    folder = media / "imports"
    folder.mkdir()
    old, recent = folder / "0123.csv", folder / "4567.csv"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    day_ago = time.time() - 24 * 3600
    os.utime(old, (day_ago, day_ago))

    upload(client_for(manager), csv_bytes(*GOOD_ROWS))

    assert not old.exists()
    assert recent.exists()
