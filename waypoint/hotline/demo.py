# ruff: noqa: RUF001, S311
"""Demo data of the hotline: topics, campaign materials, the knowledge base, and a year of consultations
at the four information-consultation centres, shaped on the office's own reports (the seeds).

St Petersburg gets 888 consultations in the last 12 full months, 596 of them (67.12%) to Russian
nationals; the other sites are in proportion to "over 13,400 consultations in Moscow, Astrakhan and
Petrozavodsk" in some thirty months. Foreigners ask about work permits, citizenship, employers' violations
and the police; Russians about the project, trafficking, migration law and work abroad. Calls come on
working days in office hours, more in spring, few in the New Year holidays.

Idempotent: lists are updated in place by their code; consultations are made once (when the sites have
none). A fixed random seed per site makes the same mix every time; dates follow today.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from waypoint.accounts.demo import DEMO_PASSWORD
from waypoint.accounts.models import Office, Programme, Role, User

from .demo_articles import ARTICLES
from .models import (
    AgeBand,
    CallerSex,
    CallerType,
    CampaignMaterial,
    Channel,
    Consultation,
    FollowUp,
    FollowUpStatus,
    KnowledgeArticle,
    Outcome,
    Topic,
)

# code, English, Russian (the order is the order on the consultation form)
TOPICS = [
    ("work-permits", "Work permits and patents", "Разрешения на работу и патенты"),
    ("citizenship", "Citizenship", "Гражданство"),
    ("employer-violations", "Employers' violations of workers' rights", "Нарушения прав работников работодателями"),
    ("police", "Relations with the police", "Взаимоотношения с правоохранительными органами"),
    ("registration", "Migration registration", "Миграционный учёт"),
    ("project", "About the project and the hotline", "О проекте и горячей линии"),
    ("trafficking", "Human trafficking", "Торговля людьми"),
    ("migration-law", "Migration law", "Миграционное законодательство"),
    ("employment-abroad", "Working abroad", "Трудоустройство за рубежом"),
    ("documents", "Lost or withheld documents", "Утраченные или изъятые документы"),
    ("return-home", "Return home", "Возвращение на родину"),
    ("social-assistance", "Social, medical and legal help", "Социальная, медицинская и юридическая помощь"),
    ("missing-relative", "A relative missing or in trouble abroad", "Родственник пропал или в беде за рубежом"),
    ("other", "Other questions", "Другие вопросы"),
]

MATERIALS = [
    ("leaflet-ru", "Leaflet in Russian", "Листовка на русском языке"),
    ("leaflet-tg", "Leaflet in Tajik", "Листовка на таджикском языке"),
    ("leaflet-uz", "Leaflet in Uzbek", "Листовка на узбекском языке"),
    ("poster-transport", "Poster in public transport", "Плакат в общественном транспорте"),
    ("billboard", "Billboard or street banner", "Билборд или уличный баннер"),
    ("tv", "TV spot", "Телевизионный ролик"),
    ("radio", "Radio", "Радио"),
    ("press", "Newspaper or magazine", "Газета или журнал"),
    ("website", "Project website", "Сайт проекта"),
    ("internet", "Internet search or social media", "Поиск в интернете или социальные сети"),
    ("ngo", "A non-governmental organisation", "Некоммерческая организация"),
    ("migration-service", "Migration service or police", "Миграционная служба или полиция"),
    ("consulate", "Embassy or consulate", "Посольство или консульство"),
    ("friends", "Friends or relatives", "Друзья или родственники"),
    ("other", "Other", "Другое"),
]


@dataclass(frozen=True)
class Site:
    code: str
    per_year: int
    russian: int  # consultations to Russian nationals in the year
    not_recorded: int  # nationality not given
    zone: str
    operator: tuple[str, str, str]  # username, first name, last name
    nationalities: dict[str, float]  # foreigners' nationalities, weights


SITES = [
    Site("icc-moscow", 2640, 1214, 53, "Europe/Moscow", ("operator-moscow", "Natalia", "Belova"), {
        "UZ": 30, "TJ": 26, "KG": 13, "UA": 8, "MD": 6, "AZ": 5, "AM": 4, "KZ": 2, "BY": 2, "GE": 1.5, "VN": 1,
        "CN": 1, "IN": .5,
    }),
    Site("icc-astrakhan", 1560, 640, 31, "Europe/Astrakhan", ("operator-astrakhan", "Ruslan", "Kaliev"), {
        "UZ": 22, "KZ": 18, "AZ": 18, "TJ": 14, "TM": 6, "AM": 5, "KG": 5, "GE": 3, "UA": 3, "IR": 3,
    }),
    Site("icc-petrozavodsk", 1150, 955, 23, "Europe/Moscow", ("operator-petrozavodsk", "Svetlana", "Nikitina"), {
        "UZ": 22, "UA": 20, "TJ": 18, "BY": 12, "MD": 8, "KG": 8, "AM": 4, "AZ": 4, "KZ": 2, "FI": 2,
    }),
    # The seeds: 888 consultations, 67.12% to Russian nationals (596), 32.88% to foreigners (292).
    Site("icc-spb", 888, 596, 0, "Europe/Moscow", ("operator", "Irina", "Petrova"), {
        "UZ": 32, "TJ": 24, "KG": 12, "UA": 8, "MD": 6, "AZ": 5, "AM": 4, "BY": 3, "KZ": 2, "GE": 2, "VN": 1,
        "CN": 1,
    }),
]

RUSSIAN, FOREIGN, UNKNOWN = "russian", "foreign", "unknown"

# What each group asks about (the seeds' top four first), weights.
TOPIC_WEIGHTS = {
    FOREIGN: {"work-permits": 40, "citizenship": 26, "employer-violations": 24, "police": 17, "registration": 12,
              "documents": 8, "migration-law": 6, "return-home": 6, "trafficking": 5, "social-assistance": 5,
              "project": 2, "other": 3},
    RUSSIAN: {"project": 30, "trafficking": 28, "migration-law": 24, "employment-abroad": 22,
              "social-assistance": 6, "missing-relative": 5, "work-permits": 3, "employer-violations": 3,
              "citizenship": 2, "documents": 2, "police": 2, "other": 5},
}
TOPIC_WEIGHTS[UNKNOWN] = {code: TOPIC_WEIGHTS[FOREIGN].get(code, 0) + TOPIC_WEIGHTS[RUSSIAN].get(code, 0)
                          for code in {*TOPIC_WEIGHTS[FOREIGN], *TOPIC_WEIGHTS[RUSSIAN]}}
CALLER_TYPES = {
    FOREIGN: {CallerType.LABOUR_MIGRANT: 68, CallerType.POTENTIAL_MIGRANT: 6, CallerType.POSSIBLE_VICTIM: 6,
              CallerType.RELATIVE: 9, CallerType.PROFESSIONAL: 3, CallerType.OTHER: 8},
    RUSSIAN: {CallerType.POTENTIAL_MIGRANT: 34, CallerType.LABOUR_MIGRANT: 4, CallerType.POSSIBLE_VICTIM: 4,
              CallerType.RELATIVE: 16, CallerType.PROFESSIONAL: 14, CallerType.OTHER: 28},
}
CALLER_TYPES[UNKNOWN] = {CallerType.LABOUR_MIGRANT: 30, CallerType.POTENTIAL_MIGRANT: 20, CallerType.RELATIVE: 15,
                         CallerType.OTHER: 30, CallerType.POSSIBLE_VICTIM: 5}
SEXES = {FOREIGN: {CallerSex.MALE: 66, CallerSex.FEMALE: 32, CallerSex.UNKNOWN: 2},
         RUSSIAN: {CallerSex.FEMALE: 62, CallerSex.MALE: 35, CallerSex.UNKNOWN: 3},
         UNKNOWN: {CallerSex.FEMALE: 40, CallerSex.MALE: 40, CallerSex.UNKNOWN: 20}}
AGES = {FOREIGN: {AgeBand.UNDER_18: 1, AgeBand.FROM_18: 18, AgeBand.FROM_25: 40, AgeBand.FROM_35: 24,
                  AgeBand.FROM_45: 12, AgeBand.FROM_60: 1, AgeBand.UNKNOWN: 4},
        RUSSIAN: {AgeBand.UNDER_18: 3, AgeBand.FROM_18: 30, AgeBand.FROM_25: 28, AgeBand.FROM_35: 15,
                  AgeBand.FROM_45: 12, AgeBand.FROM_60: 4, AgeBand.UNKNOWN: 8},
        UNKNOWN: {AgeBand.FROM_18: 20, AgeBand.FROM_25: 25, AgeBand.FROM_35: 15, AgeBand.UNKNOWN: 40}}
CHANNELS = {FOREIGN: {Channel.CALL: 62, Channel.WALK_IN: 24, Channel.EMAIL: 3, Channel.MESSENGER: 11},
            RUSSIAN: {Channel.CALL: 76, Channel.WALK_IN: 12, Channel.EMAIL: 6, Channel.MESSENGER: 6},
            UNKNOWN: {Channel.CALL: 40, Channel.EMAIL: 30, Channel.MESSENGER: 30}}
HEARD_FROM = {
    FOREIGN: {"leaflet-ru": 14, "friends": 26, "ngo": 12, "consulate": 8, "migration-service": 10,
              "poster-transport": 8, "internet": 8, "billboard": 4, "tv": 3, "radio": 1, "other": 2},
    RUSSIAN: {"tv": 22, "internet": 18, "website": 10, "poster-transport": 16, "billboard": 10, "friends": 12,
              "radio": 5, "press": 5, "ngo": 4, "leaflet-ru": 6, "migration-service": 2, "other": 2},
    UNKNOWN: {"internet": 30, "website": 30, "friends": 20, "other": 20},
}
HOME_LANGUAGE = {"UZ": ("uz", .3), "TJ": ("tg", .3), "KG": ("ky", .15), "UA": ("uk", .1), "AZ": ("az", .1),
                 "AM": ("hy", .1), "VN": ("vi", .7), "CN": ("zh", .7), "IN": ("en", .8), "IR": ("fa", .5),
                 "FI": ("fi", .6), "GE": ("ka", .2), "TM": ("tk", .2), "KZ": ("kk", .05), "MD": ("ro", .1)}
OUTCOMES = {
    "usual": {Outcome.INFORMED: 74, Outcome.REFERRED: 10, Outcome.CALL_BACK: 8, Outcome.SITUATION_REPORTED: 1,
              Outcome.ESCALATED: .5, Outcome.OTHER: 6.5},
    CallerType.POSSIBLE_VICTIM: {Outcome.INFORMED: 22, Outcome.REFERRED: 38, Outcome.ESCALATED: 14,
                                 Outcome.SITUATION_REPORTED: 14, Outcome.CALL_BACK: 10, Outcome.OTHER: 2},
}
# Seasons of the hotline: spring (patents, departures abroad) is busy; the New Year holidays and August quiet.
MONTH_WEIGHTS = {1: .6, 2: .9, 3: 1.15, 4: 1.2, 5: 1.05, 6: 1.0, 7: .9, 8: .8, 9: 1.05, 10: 1.1, 11: 1.05, 12: .9}
HOLIDAYS = {(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}
HOURS = {9: 6, 10: 11, 11: 12, 12: 11, 13: 7, 14: 11, 15: 12, 16: 11, 17: 8}
ANSWERS = {
    "work-permits": ["Explained the patent: documents, medical examination, language test, insurance; the monthly "
                     "advance payment and keeping receipts.", "Explained that EAEU citizens need no patent; "
                     "registration and contract still required."],
    "citizenship": ["Outlined the general and simplified procedures; advised to check the category at the migration "
                    "department.", "Advised to regularise stay first; referred to legal aid for a complicated case."],
    "employer-violations": ["Explained how to collect evidence and complain to the labour inspectorate or the "
                            "prosecutor.", "Employer keeps the passport: explained it is unlawful; legal aid contact "
                            "given."],
    "police": ["Explained rights during a document check and where to complain.",
               "Advised which documents to carry; explained the right to an interpreter."],
    "registration": ["Explained registration at the place of stay, seven working days, the tear-off slip.",
                     "Warned about 'registration at any address' offers."],
    "project": ["Told about the hotline and the centres, anonymity, free of charge.",
                "Sent leaflets for distribution at the caller's school."],
    "trafficking": ["Went through the signs of trafficking and the help available.",
                    "Discussed a job offer abroad: several warning signs; advised not to hand over the passport."],
    "migration-law": ["Explained the 90-in-180-days rule and the risk of a re-entry ban.",
                      "Explained temporary residence and residence permits."],
    "employment-abroad": ["Checked the offer with the caller: contract, visa type, agency; safety advice given.",
                          "Advised on a work visa instead of a tourist visa."],
    "documents": ["Explained reporting the loss to the police and going to the consulate.",
                  "Passport held by a third person: explained the steps and offered legal aid."],
    "return-home": ["Explained assisted voluntary return and how to apply.",
                    "Consulate contacts and travel document procedure explained."],
    "social-assistance": ["Gave the contacts of a crisis centre and of free legal aid.",
                          "Explained free emergency medical care."],
    "missing-relative": ["Advised to report to the police at once and to contact the consulate.",
                         "Took details to check with partner organisations abroad (with the family's consent)."],
    "other": ["General information given.", "Question outside the hotline's remit; referred to the right body."],
}
FOLLOW_UP_ACTIONS = [
    "Call back with the address and hours of the migration department",
    "Call back after checking free places at the shelter",
    "Send the list of documents by messenger",
    "Call back with the time of the legal aid appointment",
    "Check that the caller reached the partner organisation",
    "Call back after the consulate's answer",
]
FOLLOW_UP_RESULTS = [
    "Called back; information given.", "Called back; the caller already went to the partner.",
    "Called back; appointment confirmed.", "Sent by messenger; the caller confirmed receipt.",
]


def _pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _days(start: datetime.date, end: datetime.date) -> tuple[list[datetime.date], list[float]]:
    """Days from `start` to `end` (exclusive) on which the centres work, with their weights."""
    days, weights, day = [], [], start
    while day < end:
        weekday = day.weekday()
        weight = 0.0 if (day.month, day.day) in HOLIDAYS or weekday == 6 else (0.15 if weekday == 5 else 1.0)
        if weight:
            days.append(day)
            weights.append(weight * MONTH_WEIGHTS[day.month])
        day += datetime.timedelta(days=1)
    return days, weights


def _operators(sites: dict[str, Office]) -> dict[str, User]:
    """One operator per site: the accounts demo has St Petersburg's; the others are made here."""
    operators, password = {}, None
    for site in SITES:
        username, first, last = site.operator
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hashing is slow on purpose: once is enough
            user = User(username=username, first_name=first, last_name=last, role=Role.HOTLINE_OPERATOR,
                        email=f"{username}@waypoint.example", office=sites[site.code],
                        programmes=[str(Programme.HOTLINE)], password=password)
            user.save()
        operators[site.code] = user
    return operators


def _load_lists() -> tuple[dict[str, Topic], dict[str, CampaignMaterial]]:
    topics, materials = {}, {}
    for position, (code, english, russian) in enumerate(TOPICS):
        topics[code], _ = Topic.objects.update_or_create(
            code=code, defaults={"name_en": english, "name_ru": russian, "position": position * 10})
    for position, (code, english, russian) in enumerate(MATERIALS):
        materials[code], _ = CampaignMaterial.objects.update_or_create(
            code=code, defaults={"name_en": english, "name_ru": russian, "position": position * 10})
    return topics, materials


def _load_articles(topics: dict[str, Topic], author: User | None) -> int:
    for kind, codes, title_en, title_ru, body_en, body_ru in ARTICLES:
        article = KnowledgeArticle.objects.filter(title_en=title_en).first() or KnowledgeArticle(title_en=title_en)
        article.kind, article.title_ru, article.body_en, article.body_ru = kind, title_ru, body_en, body_ru
        article.updated_by = article.updated_by or author
        article.save()
        article.topics.set([topics[code] for code in codes])
    return len(ARTICLES)


def _topics_for(rng: random.Random, group: str, caller_type: str) -> list[str]:
    weights = dict(TOPIC_WEIGHTS[group])
    chosen = [_pick(rng, weights)]
    extra = rng.choices([0, 1, 2], weights=[60, 32, 8])[0]
    if caller_type == CallerType.POSSIBLE_VICTIM and "trafficking" not in chosen and rng.random() < .7:
        chosen.append("trafficking")
    for _ in range(extra):
        for code in chosen:
            weights.pop(code, None)
        if weights:
            chosen.append(_pick(rng, weights))
    return chosen


def _consultations(site: Site, office: Office, operator: User, material_ids: dict[str, int], rng: random.Random,
                   today: datetime.date, now: datetime.datetime) -> tuple[list[Consultation], list[list[str]]]:
    """A year (the last 12 full months) of the site's consultations, and this month's so far."""
    zone = ZoneInfo(site.zone)
    month_start = today.replace(day=1)
    year_start = datetime.date(month_start.year - 1, month_start.month, 1)
    groups = [RUSSIAN] * site.russian + [UNKNOWN] * site.not_recorded
    groups += [FOREIGN] * (site.per_year - len(groups))
    rng.shuffle(groups)
    year_days, year_weights = _days(year_start, month_start)
    dates = rng.choices(year_days, weights=year_weights, k=site.per_year)
    current_days, current_weights = _days(month_start, today + datetime.timedelta(days=1))
    if current_days:  # this month up to now (those that would start later today are dropped below)
        extra = round(site.per_year * ((today - month_start).days + 1) / 365)
        dates += rng.choices(current_days, weights=current_weights, k=extra)
        shares = {RUSSIAN: site.russian, UNKNOWN: site.not_recorded, FOREIGN: site.per_year - site.russian
                  - site.not_recorded}
        groups += [_pick(rng, shares) for _ in range(extra)]
    rows, topic_codes = [], []
    for day, group in zip(dates, groups, strict=True):
        hour = _pick(rng, {h: w for h, w in HOURS.items() if day.weekday() < 5 or 10 <= h < 14})
        started = datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60)), tzinfo=zone)
        if started >= now:
            continue
        caller_type = _pick(rng, CALLER_TYPES[group])
        channel = _pick(rng, CHANNELS[group])
        nationality = {RUSSIAN: "RU", UNKNOWN: ""}.get(group) or _pick(rng, site.nationalities)
        language = ""
        if group == RUSSIAN:
            language = "ru"
        elif nationality:
            home, share = HOME_LANGUAGE.get(nationality, ("ru", 0))
            language = home if rng.random() < share else "ru"
        codes = _topics_for(rng, group, caller_type)
        heard = _pick(rng, HEARD_FROM[group]) if rng.random() < .78 else None
        if heard and group == FOREIGN and nationality in ("TJ", "UZ") and rng.random() < .35:
            heard = "leaflet-tg" if nationality == "TJ" else "leaflet-uz"
        outcome = _pick(rng, OUTCOMES.get(caller_type, OUTCOMES["usual"]))
        typical = 20 if channel == Channel.WALK_IN else 9
        duration = max(2, min(90, round(rng.lognormvariate(math.log(typical), .45))))
        rows.append(Consultation(
            site=office, operator=operator, channel=channel, started_at=started, duration_minutes=duration,
            caller_sex=_pick(rng, SEXES[group]), caller_age_band=_pick(rng, AGES[group]),
            caller_nationality=nationality, caller_language=language, caller_type=caller_type,
            heard_from_id=material_ids[heard] if heard else None, answer=rng.choice(ANSWERS[codes[0]]), outcome=outcome,
        ))
        topic_codes.append(codes)
    return rows, topic_codes


def _follow_ups(consultations: Sequence[Consultation], operator: User, rng: random.Random,
                now: datetime.datetime) -> list[FollowUp]:
    """A call-back for each consultation that needed one: old ones done (a few cancelled), those due in the
    last days partly still open, and so overdue, those due later open in the queue."""
    follow_ups = []
    for number, consultation in enumerate(consultations):
        if consultation.outcome != Outcome.CALL_BACK:
            continue
        local = timezone.localtime(consultation.started_at)
        due = (local + datetime.timedelta(days=rng.choice([1, 1, 2, 3]))).replace(hour=rng.choice([10, 11, 15, 16]),
                                                                                   minute=0)
        if due.weekday() >= 5:
            due += datetime.timedelta(days=7 - due.weekday())
        follow_up = FollowUp(
            consultation=consultation, due_at=due, action=rng.choice(FOLLOW_UP_ACTIONS),
            contact=rng.choice(["", "Calls back herself on the hotline", f"caller{number}@example.org",
                                "Same messenger chat"]),
            assigned_to=operator if rng.random() < .85 else None,
        )
        if due > now or (now - due < datetime.timedelta(days=10) and rng.random() < .6):
            follow_up.status = FollowUpStatus.OPEN
        elif rng.random() < .08:
            follow_up.status, follow_up.done_at = FollowUpStatus.CANCELLED, due
            follow_up.result = "Three attempts, no answer."
        else:
            follow_up.status = FollowUpStatus.DONE
            follow_up.done_at = min(due + datetime.timedelta(hours=rng.choice([0, 1, 3, 24])), now)
            follow_up.result = rng.choice(FOLLOW_UP_RESULTS)
        follow_ups.append(follow_up)
    return follow_ups


def load(stdout) -> None:
    topics, materials = _load_lists()
    author = User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    articles = _load_articles(topics, author)
    stdout.write(f"Hotline: {len(topics)} topics, {len(materials)} campaign materials, {articles} knowledge base "
                 "articles.")
    sites = {office.code: office for office in Office.objects.filter(code__in=[s.code for s in SITES])}
    missing = [site.code for site in SITES if site.code not in sites]
    if missing:
        stdout.write(f"Hotline: no consultations (sites missing: {', '.join(missing)}).")
        return
    if Consultation.objects.filter(site__in=sites.values()).exists():
        stdout.write("Hotline: consultations already loaded.")
        return
    operators = _operators(sites)
    now, today = timezone.now(), timezone.localdate()
    material_ids = {code: material.pk for code, material in materials.items()}
    topic_ids = {code: topic.pk for code, topic in topics.items()}
    total = 0
    with transaction.atomic():
        for site in SITES:
            rng = random.Random(f"waypoint-hotline-demo-{site.code}")
            rows, codes = _consultations(site, sites[site.code], operators[site.code], material_ids, rng, today, now)
            created = Consultation.objects.bulk_create(rows, batch_size=500)
            through = Consultation.topics.through
            through.objects.bulk_create(
                [through(consultation_id=c.pk, topic_id=topic_ids[code])
                 for c, row_codes in zip(created, codes, strict=True) for code in row_codes],
                batch_size=1000,
            )
            FollowUp.objects.bulk_create(_follow_ups(created, operators[site.code], rng, now), batch_size=500)
            total += len(created)
    open_overdue = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=now).count()
    stdout.write(f"Hotline: {total} consultations at {len(SITES)} sites over the last year; "
                 f"{open_overdue} call-backs overdue.")
    stdout.write("  Operators per site (demo password as above): "
                 + ", ".join(f"{s.operator[0]} ({sites[s.code].name})" for s in SITES))
