"""The printed referral: a PDF for an organisation without Waypoint users, in Russian or English.

Staff print it, send it by email, fax, post or by hand, and record how and when (`services.record_delivery`).
It carries what the organisation may read now (`sharing.organisation_view`): the fields that were shared,
the personal ones only while the person's consent still covers them for this organisation, so a form
printed after a withdrawal carries only the anonymous description. Around them: the reference, the date,
the office and who to contact there, the date an answer is due, and a reply section the organisation fills
in and sends back. Nothing else of the case or the person goes in.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from waypoint.partners.printable import css_string, page_counter_css

from . import sharing
from .models import Referral, ReferralStatus

TEMPLATE = "cases/referral_pdf.html"
LANGUAGES = ("en", "ru")


def _date(value) -> str:
    return formats.date_format(value, "j E Y") if value else ""


def render_html(referral: Referral, language: str) -> str:
    """The form's HTML in `language` ("en" or "ru"): what WeasyPrint lays out."""
    if language not in LANGUAGES:
        raise ValueError(f"A referral is printed in {' or '.join(LANGUAGES)}, not {language!r}.")
    with translation.override(language):
        shown = sharing.organisation_view(referral)
        dated = timezone.localtime(referral.sent_at).date() if referral.sent_at else timezone.localdate()
        contact = referral.created_by if referral.created_by_id and not referral.created_by.partner_organisation_id \
            else None
        context = {
            "language": language,
            "referral": referral,
            "rows": shown.rows,
            "shown": shown,
            "dated": _date(dated),
            "draft": referral.status == ReferralStatus.DRAFT,
            "due": _date(referral.due_on),
            "office": referral.office,
            "contact_name": (contact.get_full_name() or contact.get_username()) if contact else "",
            "contact_email": contact.email if contact else "",
            "page_counter": page_counter_css(),
            "reference_css": css_string(referral.reference),
            "confidential_css": css_string(_("Confidential")),
        }
        return render_to_string(TEMPLATE, context)


def referral_pdf(referral: Referral, language: str) -> bytes:
    """The printed referral as an A4 PDF in `language`."""
    # Imported here: loading Pango costs a moment that the rest of the site does not need to pay.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(referral, language)
    # Made from text alone: no protocol is allowed, so nothing is ever fetched.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=frozenset())).write_pdf()


def filename(referral: Referral, language: str) -> str:
    """The download's name: the reference and the language, never the person's name."""
    return f"referral-{referral.reference}-{language}.pdf"
