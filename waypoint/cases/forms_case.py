"""Forms of the case pages: the list's filters, opening a case, editing it, its workflow steps, members, plan,
notes and attachments. Rules live in `casework`, `plan` and `notes`; forms shape the input and keep every error on
its field. Edit forms carry the `version` they were opened at (see `cases.locking`)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Programme, User
from waypoint.partners.models import Organisation
from waypoint.people.forms import date_widget

from . import casework, notes, plan
from .forms import PersonEssentialsForm
from .models import (
    AttachmentKind,
    Case,
    Channel,
    GoalStatus,
    MemberRole,
    Referral,
    ReferralStatus,
    RiskLevel,
    Task,
    Vulnerability,
)
from .workflow import all_status_choices, workflow_for

ANY_OPEN, ANY_CLOSED = "@open", "@closed"
ME = "me"


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def staff_label(user: User) -> str:
    return casework.display_name(user)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return staff_label(obj)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return staff_label(obj)


def staff_of(programmes: list[str]) -> QuerySet[User]:
    """Case workers and programme managers of any of these programmes."""
    ids: set[int] = set()
    for programme in programmes:
        ids.update(casework.owner_choices(programme).values_list("pk", flat=True))
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")


def active_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).order_by("name")


# --- The case list ------------------------------------------------------------------------------
class CaseFilterForm(forms.Form):
    """The case list's filters, sent by GET: nothing personal goes in the address (a reference at most)."""

    q = forms.CharField(label=_("Reference"), required=False, max_length=20,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "CT-2026-00042"}))
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    risk = forms.ChoiceField(label=_("Risk"), required=False)
    vulnerability = forms.ChoiceField(label=_("Vulnerability"), required=False)
    overdue = forms.BooleanField(label=_("Overdue tasks or referrals"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        programmes = list(user.programmes or [])
        labels = dict(Programme.choices)
        self.fields["programme"].choices = [("", _("All my programmes"))] + [
            (code, labels.get(code, code)) for code in programmes]
        self.fields["status"].choices = [("", _("Any status")), (ANY_OPEN, _("Any open status")),
                                         (ANY_CLOSED, _("Any closed status")), *all_status_choices(programmes)]
        self.fields["owner"].choices = [("", _("Anyone")), (ME, _("Me"))] + [
            (str(staff.pk), staff_label(staff)) for staff in staff_of(programmes) if staff.pk != user.pk]
        self.fields["risk"].choices = [("", _("Any risk")), *RiskLevel.choices]
        self.fields["vulnerability"].choices = [("", _("Any or none")), *Vulnerability.choices]

    def apply(self, queryset: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
        """The cases that pass the filters; a filter with an invalid value is ignored (the form says why)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("q"):
            queryset = queryset.filter(reference__icontains=data["q"].strip())
        if data.get("programme"):
            queryset = queryset.filter(programme=data["programme"])
        status = data.get("status")
        if status in (ANY_OPEN, ANY_CLOSED):
            match = Q(pk__in=[])
            for programme in Programme.values:
                workflow = workflow_for(programme)
                states = workflow.open_states() if status == ANY_OPEN else workflow.closed_states()
                match |= Q(programme=programme, status__in=states)
            queryset = queryset.filter(match)
        elif status:
            queryset = queryset.filter(status=status)
        owner = data.get("owner")
        if owner == ME:
            queryset = queryset.filter(owner=self.user)
        elif owner:
            queryset = queryset.filter(owner_id=int(owner))
        if data.get("risk"):
            queryset = queryset.filter(risk_level=data["risk"])
        if data.get("vulnerability"):
            queryset = queryset.filter(vulnerabilities__contains=[data["vulnerability"]]) \
                if _json_contains_supported() else queryset.filter(pk__in=_with_flag(queryset, data["vulnerability"]))
        if data.get("overdue"):
            queryset = queryset.filter(overdue_filter(today))
        return queryset


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def _with_flag(queryset: QuerySet[Case], flag: str) -> list[int]:
    """SQLite cannot look inside a JSON list: the flags of the (already filtered, access-scoped) cases are read."""
    return [pk for pk, flags in queryset.values_list("pk", "vulnerabilities") if flag in (flags or [])]


def overdue_filter(today: datetime.date) -> Q:
    """A task not done after its due date, or a referral sent and not answered by its due date."""
    tasks = Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
    referrals = Referral.objects.filter(case=OuterRef("pk"), status=ReferralStatus.SENT, due_on__lt=today)
    return Q(Exists(tasks)) | Q(Exists(referrals))


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=80,
                           error_messages={"required": _("Give the view a name.")})
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


# --- Choosing a person (the principal of a new case, a new member) ---------------------------------
class PersonPickForm(forms.Form):
    """Who the person is: a record found in the registry, or a new one (with the registry's duplicate check)."""

    EXISTING, NEW = "existing", "new"

    who = forms.ChoiceField(
        label=_("The person"), widget=forms.RadioSelect, initial=EXISTING, required=False,
        choices=[(EXISTING, _("Is registered: find their record")), (NEW, _("Is not registered yet"))],
    )
    q = forms.CharField(label=_("Name, record number or document number"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}))
    confirm_new = forms.BooleanField(label=_("I checked the possible matches: this is a different person"),
                                     required=False)


class NewPersonForm(PersonEssentialsForm):
    """A person registered on the way: the essentials; the person page takes the rest later."""

    def person_data(self) -> dict[str, Any]:
        data = super().person_data()
        if data.get("birth_date"):
            data["birth_date_precision"] = "exact"
        return data


# --- Opening and editing a case --------------------------------------------------------------------
class CaseFieldsForm(forms.Form):
    """What opening and editing share: who works on the case, how it came, risk, vulnerabilities, summary."""

    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none(),
                             error_messages={"required": _("Choose who owns the case.")})
    assigned = StaffMultipleChoiceField(
        label=_("Also assigned"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Colleagues who work on the case with the owner: they see it too."),
    )
    channel = forms.ChoiceField(label=_("How the case came"), choices=[("", "—"), *Channel.choices],
                                error_messages={"required": _("Say how the case came to the office.")})
    referring_organisation = forms.ModelChoiceField(
        label=_("Referred by"), queryset=Organisation.objects.none(), required=False,
        help_text=_("The organisation from the directory that referred the person (a mission abroad, the police, an "
                    "NGO, an embassy...). Needed unless the person came through the hotline, by themselves or "
                    "otherwise."),
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    vulnerabilities = forms.MultipleChoiceField(label=_("Vulnerabilities"), choices=Vulnerability.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=_("Summary"), required=False, widget=_textarea(5),
                              max_length=casework.NOTE_MAX,
                              help_text=_("What happened and what the person needs. Kept encrypted."))

    def __init__(self, *args: Any, staff: QuerySet[User], organisations: QuerySet[Organisation],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["assigned"].queryset = staff
        self.fields["referring_organisation"].queryset = organisations

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        channel = data.get("channel")
        if channel and "referring_organisation" not in self.errors:
            for name, messages in casework.channel_errors(channel, data.get("referring_organisation")).items():
                self.add_error(name, messages)
        owner = data.get("owner")
        if owner is not None and owner in (data.get("assigned") or []):
            data["assigned"] = [user for user in data["assigned"] if user != owner]
        return data


class OpenCaseForm(CaseFieldsForm):
    programme = forms.ChoiceField(label=_("Programme"))
    # An application on paper entered days later is received on the day it came: programme reports count by it.
    opened_on = forms.DateField(label=_("Received on"), required=False, widget=date_widget(),
                                help_text=_("The day the case or application came to the office; empty: today."))

    field_order = ["programme", "opened_on", "channel", "referring_organisation", "owner", "assigned", "risk_level",
                   "vulnerabilities", "summary"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        programmes = list(user.programmes or [])
        super().__init__(*args, staff=staff_of(programmes), organisations=active_organisations(), **kwargs)
        labels = dict(Programme.choices)
        self.fields["programme"].choices = [(code, labels.get(code, code)) for code in programmes]
        if len(programmes) == 1:
            self.fields["programme"].widget = forms.HiddenInput()
            self.initial.setdefault("programme", programmes[0])
        self.initial.setdefault("owner", user.pk)


class CaseEditForm(CaseFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        # An organisation no longer active stays choosable on the case that already names it.
        organisations = Organisation.objects.filter(Q(is_active=True) | Q(pk=case.referring_organisation_id))
        super().__init__(*args, staff=casework.owner_choices(case.programme),
                         organisations=organisations.order_by("name"), **kwargs)
        self.initial.update({
            "version": case.version, "owner": case.owner_id, "assigned": [u.pk for u in case.assigned.all()],
            "channel": case.channel, "referring_organisation": case.referring_organisation_id,
            "risk_level": case.risk_level, "vulnerabilities": list(case.vulnerabilities or []),
            "summary": case.summary,
        })


# --- Workflow steps and members --------------------------------------------------------------------
class TransitionForm(forms.Form):
    action = forms.CharField(max_length=60)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    closure_reason = forms.ChoiceField(label=_("Reason for closing"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(2), max_length=casework.NOTE_MAX)
    on = forms.DateField(label=_("Date of the step"), required=False, widget=date_widget())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closure_reason"].choices = [("", "—"), *workflow_for(case.programme).closure_reasons]


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in the case"), choices=[("", "—"), *MemberRole.choices],
                             error_messages={"required": _("Choose the person's role in the case.")})


# --- The plan ------------------------------------------------------------------------------------------
class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=plan.TITLE_MAX,
                            error_messages={"required": _("Write the goal.")})
    plan_type = forms.ChoiceField(label=_("Type of support"), required=False)
    target_on = forms.DateField(label=_("Planned end"), required=False, widget=date_widget())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = workflow_for(case.programme).plan_types
        if types:
            self.fields["plan_type"].choices = [("", "—"), *types]
        else:
            del self.fields["plan_type"]


class GoalEditForm(GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=plan.TITLE_MAX,
                            error_messages={"required": _("Write what is to be done.")})
    due_on = forms.DateField(label=_("Due on"), required=False, widget=date_widget())
    assigned_to = StaffChoiceField(label=_("For"), queryset=User.objects.none(), required=False,
                                   empty_label=_("Nobody in particular"))
    goal = forms.ModelChoiceField(label=_("Under the goal"), queryset=None, required=False,
                                  empty_label=_("No goal"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = casework.owner_choices(case.programme)
        self.fields["goal"].queryset = case.goals.all()
        self.fields["goal"].label_from_instance = lambda goal: casework._short(goal.title, 60)


class TaskDoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    done = forms.BooleanField(required=False)


# --- Notes and attachments ---------------------------------------------------------------------------
class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=_textarea(4), max_length=casework.NOTE_MAX,
                           error_messages={"required": _("The note is empty.")})


class NoteEditForm(NoteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


ACCEPTED_FILES = ",".join([".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".odt", ".ods", ".txt", ".csv"])


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
                           error_messages={"required": _("Choose a file."), "empty": _("The file is empty.")})
    kind = forms.ChoiceField(label=_("Kind of document"), choices=[("", "—"), *AttachmentKind.choices],
                             error_messages={"required": _("Say what kind of document this is.")})
    description = forms.CharField(label=_("Description"), required=False, max_length=notes.DESCRIPTION_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        megabytes = notes.attachment_max_bytes() / (1024 * 1024)
        self.fields["file"].help_text = _(
            "PDF, JPEG, PNG, Word, Excel, OpenDocument or plain text; at most %(size)s MB. Stored outside the web "
            "site and given only to those who may see the case.") % {"size": f"{megabytes:g}"}
