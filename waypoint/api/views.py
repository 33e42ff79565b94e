from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waypoint.accounts import policy

from . import services
from .forms import NewTokenForm
from .models import ApiToken

NEW_SECRET = "api_token_new_secret"


@login_required
def token_list(request):
    policy.require(request.user, policy.USE_API, request=request)
    form = NewTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, secret = services.create_token(
            request.user, name=form.cleaned_data["name"], valid_days=form.cleaned_data["valid_days"]
        )
        # Post/redirect/get, so a reload cannot create a second token; the secret waits in the
        # session for the one page that shows it.
        request.session[NEW_SECRET] = secret
        return redirect("api_tokens:list")
    new_secret = request.session.pop(NEW_SECRET, None)
    tokens = policy.scope(request.user, ApiToken.objects.all())
    return render(
        request, "api/token_list.html", {"form": form, "tokens": tokens, "new_secret": new_secret}
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = policy.get_for(request.user, ApiToken, "change", pk=token_id, request=request)
    if token.revoked_at is None:
        services.revoke_token(token, by=request.user)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
