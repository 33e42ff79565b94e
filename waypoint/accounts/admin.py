from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core.admin_site import AuditedModelAdmin, site

from . import services
from .models import Office, Programme, User


class ProgrammesField(forms.TypedMultipleChoiceField):
    """Programmes as check boxes rather than raw JSON."""

    def __init__(self, **kwargs):
        kwargs.update(choices=Programme.choices, widget=forms.CheckboxSelectMultiple, required=False)
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        super().__init__(**kwargs)


class StaffChangeForm(UserChangeForm):
    programmes = ProgrammesField(label=_("Programmes"))


class StaffCreationForm(AdminUserCreationForm):
    programmes = ProgrammesField(label=_("Programmes"))

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "role", "office", "programmes", "partner_organisation")


@admin.register(User, site=site)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ("username", "full_name", "role", "office", "partner_organisation", "is_active")
    list_filter = ("role", "office", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Access"), {"fields": ("role", "office", "programmes", "partner_organisation", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "email", "role", "office", "programmes", "partner_organisation",
                           "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["reset_second_factor"]

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()

    @admin.action(description=_("Reset the second factor (the user enrols again)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.reset_second_factor(user, by=request.user)
        count = queryset.count()
        messages.success(request, ngettext(
            "Second factor reset for %(count)d user.", "Second factor reset for %(count)d users.", count,
        ) % {"count": count})

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            record(Action.UPDATE, object_type="accounts.user", object_id=str(id), actor=request.user,
                   changes={"password": None}, request=request)
        return response


@admin.register(Office, site=site)
class OfficeAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "city", "parent")
    list_filter = ("kind",)
