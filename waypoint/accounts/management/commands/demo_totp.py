from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current one-time code of a demo user's authenticator (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.WAYPOINT_DEMO:
            raise CommandError("demo_totp works only when WAYPOINT_DEMO=true.")
        device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "id").first()
        if device is None:
            raise CommandError(
                f"{username} has no authenticator yet: sign in first, the enrolment page creates it."
            )
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
