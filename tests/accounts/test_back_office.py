"""The administrator manages accounts in the back office; every change is audited."""

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.accounts.models import Role, User
from waypoint.audit.models import Action, AuditEvent


def test_administrator_creates_a_case_worker_with_programmes(users, client_for, office):
    admin = users[Role.ADMINISTRATOR]
    response = client_for(admin).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.worker", "email": "new.worker@example.org", "role": Role.CASE_WORKER,
            "office": office.pk, "programmes": ["CT", "AVRR"], "usable_password": "true",
            "password1": "a-long-unusual-passphrase-42", "password2": "a-long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="new.worker")
    assert created.programmes == ["CT", "AVRR"]
    assert created.check_password("a-long-unusual-passphrase-42")
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="accounts.user", object_id=str(created.pk))
    assert event.actor_username == admin.username
    assert event.changes["password"] is None  # the hash never reaches the trail


def test_partner_user_without_organisation_is_refused_with_the_field_named(users, client_for):
    response = client_for(users[Role.ADMINISTRATOR]).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "ngo.person", "email": "x@example.org", "role": Role.PARTNER_USER,
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase-42", "password2": "a-long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 200
    assert "A partner user must belong to a partner organisation." in response.content.decode()
    assert not User.objects.filter(username="ngo.person").exists()


def test_changing_a_role_is_audited_with_old_and_new_value(users, client_for):
    admin, operator = users[Role.ADMINISTRATOR], users[Role.HOTLINE_OPERATOR]
    client = client_for(admin)
    page = client.get(reverse("admin:accounts_user_change", args=[operator.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(role=Role.CASE_WORKER, office=operator.office_id, programmes=["CT"],
                date_joined_0="2026-01-01", date_joined_1="10:00:00")
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("partner_organisation", None)
    response = client.post(reverse("admin:accounts_user_change", args=[operator.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(operator.pk)).latest("id")
    assert event.changes["role"] == [Role.HOTLINE_OPERATOR, Role.CASE_WORKER]


def test_setting_another_users_password_is_audited_without_the_password(users, client_for):
    admin, worker = users[Role.ADMINISTRATOR], users[Role.CASE_WORKER]
    response = client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[worker.pk]),
        {"password1": "another-long-passphrase-77", "password2": "another-long-passphrase-77",
         "usable_password": "true"},
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.check_password("another-long-passphrase-77")
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(worker.pk)).latest("id")
    assert event.changes == {"password": None}
    assert "another-long-passphrase-77" not in str(event.content())


def test_resetting_a_lost_second_factor_removes_the_authenticator(users, client_for):
    admin, worker = users[Role.ADMINISTRATOR], users[Role.CASE_WORKER]
    TOTPDevice.objects.create(user=worker, name="lost phone", confirmed=True)
    response = client_for(admin).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [worker.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(object_id=str(worker.pk), changes={"second_factor": None}).exists()


def test_opening_an_account_in_the_back_office_is_audited(users, client_for):
    admin, worker = users[Role.ADMINISTRATOR], users[Role.CASE_WORKER]
    response = client_for(admin).get(reverse("admin:accounts_user_change", args=[worker.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=Action.VIEW).latest("id")
    assert (event.actor_username, event.object_type, event.object_id) == (
        admin.username, "accounts.user", str(worker.pk),
    )
