"""The HSDS pages an administrator uses (export download, import with preview and confirmation) and the
`export_hsds` / `import_hsds` commands."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from waypoint.audit.models import Action, AuditEvent
from waypoint.partners import models as m
from waypoint.partners.hsds import export, spec

from .test_hsds_schema import build_directory

pytestmark = pytest.mark.django_db
EXPORT = reverse("partners:hsds_export")
IMPORT = reverse("partners:hsds_import")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin(users, client_for):
    return client_for(users["administrator"])


def waiting_files(settings) -> list:
    folder = settings.MEDIA_ROOT / "imports" / "hsds"
    return sorted(folder.iterdir()) if folder.is_dir() else []


# --- Export -------------------------------------------------------------------------------------------
def test_the_export_page_offers_both_forms(admin):
    build_directory()

    m.Organisation.objects.exclude(name__in=["Angel Coalition", "Russian Red Cross", "Closed shelter"]).update(
        is_active=False)

    content = admin.get(EXPORT).content.decode()

    assert f"{EXPORT}?format=csv" in content
    assert f"{EXPORT}?format=json" in content
    assert "<dt>Active organisations</dt><dd>2</dd>" in content
    assert "<dt>Their services</dt><dd>2</dd>" in content


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_the_download_is_dated_and_audited(admin, users, file_format):
    build_directory()
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = admin.get(EXPORT, {"format": file_format})

    day = timezone.localdate().isoformat()
    suffix = "zip" if file_format == "csv" else "json"
    assert response["Content-Disposition"] == f'attachment; filename="waypoint-directory-hsds-{day}.{suffix}"'
    if file_format == "csv":
        names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        assert set(names) == {"datapackage.json", *(table.path for table in spec.TABLES)}
    else:
        assert [row["name"] for row in json.loads(response.content)["organization"]] == [
            row["name"] for row in export.collect().tables["organization"]]
    event = AuditEvent.objects.get(pk__gt=before, action=Action.EXPORT)
    assert (event.actor_id, event.object_type) == (users["administrator"].pk, "partners.hsds_export")
    assert event.changes["format"] == [None, file_format]
    assert event.changes["organization"] == [None, str(m.Organisation.objects.filter(is_active=True).count())]


def test_no_one_else_may_download_the_export(users, client_for):
    for persona in ("programme_manager", "case_worker", "partner_user", "me_officer"):
        response = client_for(users[persona]).get(EXPORT, {"format": "csv"})
        assert response.status_code == 404, persona
        assert "Content-Disposition" not in response


# --- Import -------------------------------------------------------------------------------------------
def upload(client, data: bytes, name: str = "directory.zip"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def test_an_import_is_previewed_then_confirmed(admin, settings, users):
    directory = build_directory()
    document = json.loads(export.json_bytes(export.collect()))
    shelter = next(row for row in document["service"] if row["id"] == str(directory["shelter"].pk))
    shelter["alert"] = "Closed for repairs."
    document["organization"].append({"id": "7d0b6d6e-4d0f-4a8f-9d57-8f2b1f0f8a11", "name": "Caritas Austria",
                                     "description": "Return counselling."})

    response = upload(admin, json.dumps(document).encode(), "directory.json")

    assert response.status_code == 302
    preview_url = response["Location"]
    assert len(waiting_files(settings)) == 1
    page = admin.get(preview_url).content.decode()
    assert "Caritas Austria — new" in page
    assert "Shelter for women — updated: alert, last_modified" not in page  # last_modified is given
    assert "Shelter for women — updated: alert" in page
    assert 'value="confirm"' in page
    assert m.Organisation.objects.filter(name="Caritas Austria").count() == 0  # nothing yet

    confirmed = admin.post(preview_url, {"action": "confirm"}, follow=True)

    assert confirmed.redirect_chain[-1][0] == reverse("partners:list")
    assert "The datapackage was imported: 1 record created and 1 record updated." in confirmed.content.decode()
    assert m.Organisation.objects.get(name="Caritas Austria").organisation_type == "other"
    directory["shelter"].refresh_from_db()
    assert directory["shelter"].alert == "Closed for repairs."
    assert waiting_files(settings) == []
    assert AuditEvent.objects.filter(object_type="partners.hsds_import", actor_id=users["administrator"].pk).exists()


def test_a_broken_package_is_shown_with_its_problems_and_cannot_be_confirmed(admin, settings):
    document = {"organization": [{"id": "org-1", "name": "A"}],
                "service": [{"id": "0b4f1c3e-2a4d-4b7e-9c1f-5d6e7f8a9b0c", "name": "S", "status": "open",
                             "organization_id": "0b4f1c3e-2a4d-4b7e-9c1f-000000000000"}]}

    preview_url = upload(admin, json.dumps(document).encode(), "broken.json")["Location"]
    page = admin.get(preview_url).content.decode()

    assert "problems found: nothing can be imported" in page
    assert "“org-1” is not a UUID." in page
    assert "“open” is not one of: active, inactive, defunct, temporarily closed." in page
    assert "No record of organizations.csv has this id" in page
    assert 'value="confirm"' not in page
    admin.post(preview_url, {"action": "confirm"})
    assert not m.Organisation.objects.filter(name="A").exists()
    assert not m.Service.objects.exists()


def test_a_file_that_is_no_package_is_refused_on_the_form(admin, settings):
    response = upload(admin, b"just some text", "notes.txt")

    assert response.status_code == 200
    assert "The file is neither a ZIP of CSV files nor an HSDS JSON file." in response.content.decode()
    assert waiting_files(settings) == []


def test_cancelling_deletes_the_uploaded_file(admin, settings):
    build_directory()
    preview_url = upload(admin, export.zip_bytes(export.collect()))["Location"]

    response = admin.post(preview_url, {"action": "cancel"})

    assert response["Location"] == IMPORT
    assert waiting_files(settings) == []
    assert admin.get(preview_url).status_code == 404


def test_an_upload_belongs_to_the_session_that_made_it(admin, users, client_for):
    build_directory()
    preview_url = upload(admin, export.zip_bytes(export.collect()))["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    other = client_for(users["administrator"])  # the same role, another session
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    assert other.get(preview_url).status_code == 404
    assert other.post(preview_url, {"action": "confirm"}).status_code == 404
    denial = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY).first()
    assert (denial.object_type, denial.object_id) == ("partners.hsds_import", token)


def test_a_file_changed_while_waiting_is_not_imported(admin, settings):
    build_directory()
    preview_url = upload(admin, export.zip_bytes(export.collect()))["Location"]
    [waiting] = waiting_files(settings)
    waiting.write_bytes(b'{"organization": []}')

    response = admin.post(preview_url, {"action": "confirm"}, follow=True)

    assert "The uploaded file is no longer available. Upload it again." in response.content.decode()
    assert waiting_files(settings) == []


@pytest.mark.parametrize("persona", ["programme_manager", "case_worker", "partner_user", "hotline_operator"])
def test_only_administrators_import(users, client_for, persona):
    response = upload(client_for(users[persona]), b'{"organization": []}', "x.json")

    assert response.status_code == 404


# --- Commands -----------------------------------------------------------------------------------------
def test_the_commands_export_and_import_a_folder(tmp_path):
    build_directory()
    out = io.StringIO()

    call_command("export_hsds", str(tmp_path / "package"), stdout=out)

    assert "2 organisations, 2 services" in out.getvalue()
    written = {path.name for path in (tmp_path / "package").iterdir()}
    assert written == {"datapackage.json", *(table.path for table in spec.TABLES)}
    m.Service.objects.filter(name="Hotline").update(name="Renamed")

    dry = io.StringIO()
    call_command("import_hsds", str(tmp_path / "package"), "--dry-run", stdout=dry)
    assert "services.csv: 2 read, 0 new, 1 updated, 1 unchanged" in dry.getvalue()
    assert "Dry run: nothing was saved." in dry.getvalue()
    assert m.Service.objects.filter(name="Renamed").exists()

    call_command("import_hsds", str(tmp_path / "package"), stdout=io.StringIO())
    assert m.Service.objects.filter(name="Hotline").exists()


@pytest.mark.parametrize("target", ["package.zip", "package.json"])
def test_the_export_command_writes_a_zip_or_json(tmp_path, target):
    build_directory()

    call_command("export_hsds", str(tmp_path / target), stdout=io.StringIO())

    data = (tmp_path / target).read_bytes()
    if target.endswith(".zip"):
        assert "organizations.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    else:
        assert len(json.loads(data)["organization"]) == 2


def test_the_import_command_prints_the_problems_and_fails(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"organization": [{"id": "x", "name": "A", "description": "d"}]}))
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_hsds", str(tmp_path / "bad.json"), stdout=io.StringIO(), stderr=err)

    assert "organizations.csv, row 1, id x, field “id”: “x” is not a UUID." in err.getvalue()
    assert not m.Organisation.objects.exists()
