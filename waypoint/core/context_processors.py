from waypoint.accounts import policy

from .navigation import items_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if not policy.is_active_user(user):
        return {"navigation": []}
    verified = not user.needs_second_factor or user.is_verified()
    return {
        "navigation": items_for(user) if verified else [],
        "may_use_api": verified and policy.may(user, policy.USE_API),
    }
