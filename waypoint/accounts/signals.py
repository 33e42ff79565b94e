"""Sign-ins, sign-outs and failed attempts go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from waypoint.audit.models import Action
from waypoint.audit.services import record


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record(Action.LOGIN, user, actor=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, user, actor=user, request=request)


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs):
    # The username typed is kept (it may name no account); the password never is.
    record(
        Action.LOGIN_FAILED, object_type="accounts.user", request=request,
        username=str(credentials.get("username", ""))[:150],
    )
