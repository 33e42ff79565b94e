"""The documented assessment criteria of a grant application, each scored 0 to 5 by the assessor.

The office's rule of thumb (docs/livelihoods.md): 18 points or more of 30 is a grant worth making; below 12 the
plan is normally sent back. The score informs the recommendation; the decision is the programme's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SCORE_MIN, SCORE_MAX = 0, 5


@dataclass(frozen=True)
class Criterion:
    code: str
    label: Promise
    help: Promise


CRITERIA = (
    Criterion("viability", _("Viability of the business plan"),
              _("Costs, prices and sales add up; the plan says how the items will earn money.")),
    Criterion("experience", _("Skills and experience"),
              _("The members know the trade and have worked in it before.")),
    Criterion("market", _("Local market"),
              _("There is demand for the goods or services in or near the settlement.")),
    Criterion("jobs", _("Jobs and income for migrants"),
              _("The grant creates or keeps jobs and income for migrants of the settlement.")),
    Criterion("contribution", _("Own contribution"),
              _("The enterprise brings premises, land, labour or money of its own.")),
    Criterion("sustainability", _("Use and upkeep of the items"),
              _("The enterprise can keep the items working and use them for years.")),
)
CODES = tuple(criterion.code for criterion in CRITERIA)
TOTAL_MAX = SCORE_MAX * len(CRITERIA)
WORTH_MAKING = 18


def label(code: str) -> str:
    return str(next((c.label for c in CRITERIA if c.code == code), code))
