# ruff: noqa: RUF001, S311
"""Demo counter-trafficking cases for `make run`: about 450 victims assisted by the rehabilitation centre in
Moscow over three years (1 January two years ago to today), shaped on the office's own reports (the seeds).

Cases come as the centre's referrals came: from the organisation's missions abroad (38.3%), Russian law
enforcement (22.2%), joint operations of the police, the office and NGOs (3.1%), state structures of Moscow
(1.2%), NGOs (21.5%), the hotline (4.8%), foreign diplomatic missions (8.1%) and a few on their own. Russians
come home from Turkey, Thailand, Korea, Greece... through the airport; foreigners trafficked to or in
Russia (Uzbekistan, Tajikistan, Kyrgyzstan, Ukraine, Moldova, Nigeria, Vietnam...) go home at the end.
Each case has its HTCDS profile and events, consents (a few withdrawn, some expired), the centre's
services with costs in roubles, stays in the centre's rooms (never two guests in one bed; about 70% of
the beds taken today), movements, referrals to partners in every state (a few overdue; the demo partner
user's organisation answers its own), inbound referrals from that partner, a plan with goals and tasks
(some overdue for the demo case worker, who owns about 25 open cases), notes and the timeline.

Volume goes through `bulk_create` with the dates things happened (one summary audit event records the
load); the most recent few cases are opened through the real services (`people.services.register`,
`cases.casework.open_case`, `consent.services.record_consent`), audited as a case worker's would be.
References continue the yearly sequences, so the next real case or referral takes the next number.

Idempotent: once loaded, the demo's own case workers own cases, and a second run adds nothing.
Deterministic: one seeded generator; dates follow today.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts.demo import DEMO_PASSWORD
from waypoint.accounts.models import Office, Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import casework
from waypoint.cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseNote,
    Channel,
    DeliveryMethod,
    DeliveryStatus,
    EscortKind,
    Goal,
    GoalStatus,
    MemberRole,
    Movement,
    MovementKind,
    MovementStatus,
    ReferenceSequence,
    Referral,
    ReferralDirection,
    ReferralKind,
    ReferralStatus,
    ReferralUpdate,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Task,
    Vulnerability,
)
from waypoint.cases.references import REFERRAL_PREFIX
from waypoint.cases.services import working_days_after
from waypoint.cases.sharing import dumps
from waypoint.consent import services as consent_services
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.hotline.models import AgeBand
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import index as people_index
from waypoint.people import services as people_services
from waypoint.people.bulk import BulkWriter
from waypoint.people.demo import _document as identity_document
from waypoint.people.models import IdentityDocument, NameKey, Person, ProgrammeRegistration
from waypoint.people.populations import POPULATIONS, Population, family_for, patronymic_for, render
from waypoint.people.transliteration import icao_latin
from waypoint.people.validation import normalise_document_number

from . import htcds
from .models import (
    CentreStay,
    IdentifiedWhere,
    ProceedingsStatus,
    Room,
    TraffickingEvent,
    TraffickingProfile,
    VictimParticipation,
)
from .workflow import CT_WORKFLOW

SEED = 2007  # the year the rehabilitation centre opened
TOTAL_CASES = 450  # counter-trafficking cases after the load, those of other demos included
SERVICE_CASES = 6  # the most recent, opened through the real services
CENTRE = "rc-moscow"
CT = Programme.COUNTER_TRAFFICKING
CASEWORKER, MANAGER, PARTNER = "caseworker", "manager", "partner"
CASEWORKER_OPEN_CASES = 25
TODAY_OCCUPANCY = 0.7  # share of the centre's beds taken today
ANGEL = "Angel Coalition"  # the demo partner user's organisation

# "38,3% of victims were referred to IOM Moscow from other IOM missions located in other countries; 22,2% were
# referred by law enforcement units of Russia, 3,1% - were released in course of joint operations of LE units
# and IOM and NGOs; 1,2% - by state structures of Moscow city; 21,5% were referred by NGOs; 4,8% - by the
# "hot line" of the project; 8,1% were referred by foreign diplomatic missions." The 0.8% left: on their own.
SOURCES: tuple[tuple[str, float], ...] = (
    (Channel.MISSION_ABROAD, 38.3), (Channel.LAW_ENFORCEMENT, 22.2), (Channel.JOINT_OPERATION, 3.1),
    (Channel.STATE_STRUCTURE, 1.2), (Channel.NGO, 21.5), (Channel.HOTLINE, 4.8), (Channel.DIPLOMATIC, 8.1),
    (Channel.SELF, 0.5), (Channel.OTHER, 0.3),
)

# More case workers of the centre, so that the caseload is realistic (username, first name, last name).
WORKERS = (("caseworker2", "Natalia", "Kuzmina"), ("caseworker3", "Svetlana", "Belova"),
           ("caseworker4", "Andrei", "Zaitsev"))
# The centre's rooms: name, beds, who sleeps there (women's rooms, family rooms for mothers with children).
ROOMS = (("101", 2, "F"), ("102", 3, "F"), ("103", 3, "F"), ("104", 2, "F"), ("105", 4, "family"),
         ("201", 2, "F"), ("202", 3, "F"), ("203", 3, "F"), ("204", 2, "M"), ("205", 4, "M"),
         ("301", 3, "M"), ("302", 3, "M"))
# Missions of the organisation in the countries Russians are trafficked to (the directory has some already).
MISSIONS = (("IOM Ankara", "Ankara", "TR"), ("IOM Athens", "Athens", "GR"), ("IOM Berlin", "Berlin", "DE"),
            ("IOM Seoul", "Seoul", "KR"), ("IOM Bangkok", "Bangkok", "TH"), ("IOM Cairo", "Cairo", "EG"))
MISSION_WEIGHTS = {"TR": 22, "TH": 12, "KR": 10, "EG": 8, "GR": 8, "DE": 9, "AT": 7, "AL": 5, "MD": 5, "UZ": 7,
                   "TJ": 5}

A = htcds.MethodOfControl
R = htcds.MethodOfRecruitment
T = htcds.TypeOfExploitation
SX = htcds.TypeOfSexualExploitation
D = datetime.date
EPOCH = datetime.date(2000, 1, 1)  # a placeholder date, replaced when a story is planned
Place = tuple[str, str, str, str]  # English, Russian, Russian "in ...", region


# --- Places --------------------------------------------------------------------------------------
def _p(en: str, ru: str, ru_in: str, region: str = "") -> Place:
    return (en, ru, ru_in, region)


MOSCOW = _p("Moscow", "Москва", "в Москве", "moscow")
RUSSIA: dict[str, tuple[Place, ...]] = {
    "sexual": (MOSCOW, MOSCOW, _p("St Petersburg", "Санкт-Петербург", "в Санкт-Петербурге", "spb"),
               _p("Sochi", "Сочи", "в Сочи", "krasnodar"), _p("Yekaterinburg", "Екатеринбург", "в Екатеринбурге"),
               _p("Balashikha, Moscow Oblast", "Балашиха, Московская область", "в Балашихе", "moscow")),
    "construction": (_p("New Moscow", "Новая Москва", "в Новой Москве", "moscow"), MOSCOW,
                     _p("Krasnogorsk, Moscow Oblast", "Красногорск, Московская область", "в Красногорске", "moscow"),
                     _p("St Petersburg", "Санкт-Петербург", "в Санкт-Петербурге", "spb"),
                     _p("Kazan", "Казань", "в Казани")),
    "bricks": (_p("Kaspiysk, Republic of Dagestan", "Каспийск, Республика Дагестан", "в Каспийске (Дагестан)"),
               _p("Makhachkala, Republic of Dagestan", "Махачкала, Республика Дагестан", "в Махачкале")),
    "garment": (_p("Lyublino, Moscow", "Люблино, Москва", "в Люблине (Москва)", "moscow"),
                _p("Lyubertsy, Moscow Oblast", "Люберцы, Московская область", "в Люберцах", "moscow")),
    "farm": (_p("Dmitrov district, Moscow Oblast", "Дмитровский район, Московская область",
                "в Дмитровском районе Подмосковья", "moscow"),
             _p("Slavyansk-na-Kubani, Krasnodar Krai", "Славянск-на-Кубани, Краснодарский край",
                "в Славянске-на-Кубани", "krasnodar"),
             _p("Kamyzyak, Astrakhan Oblast", "Камызяк, Астраханская область", "в Камызяке", "astrakhan")),
    "fishing": (_p("Astrakhan Oblast", "Астраханская область", "в Астраханской области", "astrakhan"),
                _p("Nakhodka, Primorsky Krai", "Находка, Приморский край", "в Находке", "primorye")),
    "domestic": (_p("Odintsovo, Moscow Oblast", "Одинцово, Московская область", "в Одинцове", "moscow"),
                 MOSCOW, _p("St Petersburg", "Санкт-Петербург", "в Санкт-Петербурге", "spb")),
    "food": (MOSCOW, _p("St Petersburg", "Санкт-Петербург", "в Санкт-Петербурге", "spb"),
             _p("Kazan", "Казань", "в Казани")),
    "market": (MOSCOW, _p("St Petersburg", "Санкт-Петербург", "в Санкт-Петербурге", "spb")),
    "warehouse": (_p("Podolsk, Moscow Oblast", "Подольск, Московская область", "в Подольске", "moscow"),
                  _p("Chekhov, Moscow Oblast", "Чехов, Московская область", "в Чехове", "moscow")),
    "begging": (MOSCOW, _p("St Petersburg", "Санкт-Петербург", "в Санкт-Петербурге", "spb")),
}
ABROAD: dict[str, tuple[Place, ...]] = {
    "TR": (_p("Antalya", "Анталья", "в Анталье"), _p("Istanbul", "Стамбул", "в Стамбуле"),
           _p("Alanya", "Аланья", "в Аланье")),
    "GR": (_p("Athens", "Афины", "в Афинах"), _p("Thessaloniki", "Салоники", "в Салониках")),
    "DE": (_p("Berlin", "Берлин", "в Берлине"), _p("Frankfurt am Main", "Франкфурт-на-Майне", "во Франкфурте")),
    "AT": (_p("Vienna", "Вена", "в Вене"), _p("Graz", "Грац", "в Граце")),
    "AL": (_p("Tirana", "Тирана", "в Тиране"), _p("Durres", "Дуррес", "в Дурресе")),
    "KR": (_p("Busan", "Пусан", "в Пусане"), _p("Incheon", "Инчхон", "в Инчхоне"), _p("Seoul", "Сеул", "в Сеуле")),
    "TH": (_p("Pattaya", "Паттайя", "в Паттайе"), _p("Bangkok", "Бангкок", "в Бангкоке"),
           _p("Phuket", "Пхукет", "на Пхукете")),
    "EG": (_p("Hurghada", "Хургада", "в Хургаде"), _p("Sharm el-Sheikh", "Шарм-эш-Шейх", "в Шарм-эш-Шейхе")),
    "AE": (_p("Dubai", "Дубай", "в Дубае"),),
}
# Where people come from (recruitment) and go home to.
HOMES: dict[str, tuple[tuple[str, str], ...]] = {
    "RU": (("Petrozavodsk", "Петрозаводск"), ("Astrakhan", "Астрахань"), ("Ivanovo", "Иваново"), ("Tver", "Тверь"),
           ("Yaroslavl", "Ярославль"), ("Vologda", "Вологда"), ("Nizhny Novgorod", "Нижний Новгород"),
           ("Kazan", "Казань"), ("Samara", "Самара"), ("Saratov", "Саратов"), ("Volgograd", "Волгоград"),
           ("Rostov-on-Don", "Ростов-на-Дону"), ("Krasnodar", "Краснодар"), ("Yekaterinburg", "Екатеринбург"),
           ("Chelyabinsk", "Челябинск"), ("Omsk", "Омск"), ("Novosibirsk", "Новосибирск"), ("Barnaul", "Барнаул"),
           ("Irkutsk", "Иркутск"), ("Khabarovsk", "Хабаровск"), ("Vladivostok", "Владивосток"),
           ("Murmansk", "Мурманск"), ("Ryazan", "Рязань"), ("Tula", "Тула"), ("Bryansk", "Брянск"),
           ("Kursk", "Курск"), ("Moscow", "Москва"), ("Moscow", "Москва"), ("St Petersburg", "Санкт-Петербург")),
    "UZ": (("Samarkand", "Самарканд"), ("Fergana", "Фергана"), ("Andijan", "Андижан"), ("Namangan", "Наманган"),
           ("Tashkent", "Ташкент"), ("Karshi", "Карши"), ("Bukhara", "Бухара")),
    "TJ": (("Khujand", "Худжанд"), ("Kulob", "Куляб"), ("Bokhtar", "Бохтар"), ("Dushanbe", "Душанбе"),
           ("Istaravshan", "Истаравшан")),
    "KG": (("Osh", "Ош"), ("Jalal-Abad", "Джалал-Абад"), ("Bishkek", "Бишкек"), ("Naryn", "Нарын")),
    "KZ": (("Shymkent", "Шымкент"), ("Almaty", "Алматы"), ("Taraz", "Тараз")),
    "UA": (("Odesa", "Одесса"), ("Mykolaiv", "Николаев"), ("Kharkiv", "Харьков"), ("Dnipro", "Днепр")),
    "MD": (("Chisinau", "Кишинёв"), ("Balti", "Бельцы"), ("Cahul", "Кагул"), ("Orhei", "Оргеев")),
    "AM": (("Gyumri", "Гюмри"), ("Vanadzor", "Ванадзор")),
    "AZ": (("Ganja", "Гянджа"), ("Sumgait", "Сумгаит")),
    "NG": (("Benin City", "Бенин-Сити"), ("Lagos", "Лагос")),
    "GH": (("Accra", "Аккра"), ("Kumasi", "Кумаси")),
    "VN": (("Vinh, Nghe An", "Винь, Нгеан"), ("Hanoi", "Ханой"), ("Thanh Hoa", "Тханьхоа")),
}
# Cities far enough from Moscow that people fly home.
FLY_HOME = {"Omsk", "Novosibirsk", "Barnaul", "Irkutsk", "Khabarovsk", "Vladivostok", "Yekaterinburg",
            "Chelyabinsk", "Murmansk", "Krasnodar", "Astrakhan"}
COUNTRY = {  # English, Russian genitive ("a citizen of ..."), Russian "in ..."
    "RU": ("Russia", "России", "в России"), "UZ": ("Uzbekistan", "Узбекистана", "в Узбекистане"),
    "TJ": ("Tajikistan", "Таджикистана", "в Таджикистане"), "KG": ("Kyrgyzstan", "Киргизии", "в Киргизии"),
    "KZ": ("Kazakhstan", "Казахстана", "в Казахстане"), "UA": ("Ukraine", "Украины", "на Украине"),
    "MD": ("Moldova", "Молдавии", "в Молдавии"), "AM": ("Armenia", "Армении", "в Армении"),
    "AZ": ("Azerbaijan", "Азербайджана", "в Азербайджане"), "NG": ("Nigeria", "Нигерии", "в Нигерии"),
    "GH": ("Ghana", "Ганы", "в Гане"), "VN": ("Vietnam", "Вьетнама", "во Вьетнаме"),
    "TR": ("Turkey", "Турции", "в Турции"), "GR": ("Greece", "Греции", "в Греции"),
    "DE": ("Germany", "Германии", "в Германии"), "AT": ("Austria", "Австрии", "в Австрии"),
    "AL": ("Albania", "Албании", "в Албании"), "KR": ("South Korea", "Южной Кореи", "в Южной Корее"),
    "TH": ("Thailand", "Таиланда", "в Таиланде"), "EG": ("Egypt", "Египта", "в Египте"),
    "AE": ("the United Arab Emirates", "ОАЭ", "в ОАЭ"),
}
RU_COUNTRY = {"TR": "Турция", "GR": "Греция", "DE": "Германия", "AT": "Австрия", "AL": "Албания", "KR": "Южная Корея",
              "TH": "Таиланд", "EG": "Египет", "AE": "ОАЭ"}  # where Russians were found, as a Russian writes it
# Flights home from Moscow, and flights back to Moscow from where Russians were found.
FLIGHTS_HOME = {
    "UZ": (("Tashkent (TAS)", "Uzbekistan Airways HY 602"), ("Samarkand (SKD)", "Uzbekistan Airways HY 612"),
           ("Fergana (FEG)", "Uzbekistan Airways HY 636")),
    "TJ": (("Dushanbe (DYU)", "Somon Air SZ 202"), ("Khujand (LBD)", "Somon Air SZ 214")),
    "KG": (("Bishkek (FRU)", "Aeroflot SU 1880"), ("Osh (OSS)", "Avia Traffic YK 510")),
    "KZ": (("Shymkent (CIT)", "Air Astana KC 906"), ("Almaty (ALA)", "Air Astana KC 874")),
    "UA": (("Chisinau (RMO) via Istanbul, then by bus to Odesa", "Turkish Airlines TK 414 / TK 269"),),
    "MD": (("Chisinau (RMO) via Istanbul", "Turkish Airlines TK 414 / TK 269"),),
    "AM": (("Yerevan (EVN)", "Aeroflot SU 1860"),), "AZ": (("Baku (GYD)", "Azerbaijan Airlines J2 8012"),),
    "NG": (("Lagos (LOS) via Istanbul", "Turkish Airlines TK 414 / TK 625"),),
    "GH": (("Accra (ACC) via Istanbul", "Turkish Airlines TK 414 / TK 549"),),
    "VN": (("Hanoi (HAN)", "Aeroflot SU 290"),),
}
FLIGHTS_BACK = {
    "TR": (("Antalya (AYT)", "Aeroflot SU 2131"), ("Istanbul (IST)", "Turkish Airlines TK 413")),
    "GR": (("Athens (ATH) via Istanbul", "Turkish Airlines TK 1846 / TK 413"),),
    "DE": (("Berlin (BER) via Istanbul", "Turkish Airlines TK 1724 / TK 413"),),
    "AT": (("Vienna (VIE) via Istanbul", "Turkish Airlines TK 1884 / TK 413"),),
    "AL": (("Tirana (TIA) via Istanbul", "Turkish Airlines TK 1078 / TK 413"),),
    "KR": (("Seoul (ICN) via Tashkent", "Uzbekistan Airways HY 514 / HY 603"),),
    "TH": (("Bangkok (BKK)", "Aeroflot SU 271"), ("Phuket (HKT)", "Aeroflot SU 277")),
    "EG": (("Hurghada (HRG)", "Aeroflot SU 2254"),), "AE": (("Dubai (DXB)", "Aeroflot SU 521"),),
}
AIRPORTS = ("Moscow, Sheremetyevo (SVO)", "Moscow, Sheremetyevo (SVO)", "Moscow, Vnukovo (VKO)")


# --- Names of the populations the directory of names lacks -------------------------------------------
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MOLDOVA = Population(
    "md", "MD", _words("Ion Vasile Andrei Sergiu Alexandru Nicolae Mihai Victor Dumitru Igor Vitalie Ghenadie"),
    _words("Maria Ana Elena Natalia Tatiana Cristina Olga Mariana Ludmila Svetlana Irina Doina"),
    _words("Ceban Rusu Popa Munteanu Cojocaru Lungu Rotari Ciobanu Sandu Moraru Botnaru Bivol Gutu Rosca"),
    False, False, "", 0, ("ro", "ru"),
)
VIETNAM = Population(
    "vn", "VN", _words("Minh Hung Tuan Duc Nam Long Quang Thanh Hieu Dung"),
    _words("Lan Huong Mai Thu Linh Hoa Ngoc Trang Hanh Phuong"),
    _words("Nguyen Tran Le Pham Hoang Vu Dang Bui Do Ngo"), False, False, "", 0, ("vi",),
)
POPULATION = {p.citizenship: p for p in POPULATIONS} | {"MD": MOLDOVA, "VN": VIETNAM}
# How the centre writes names: Russian Cyrillic for the former Soviet Union, as the passport has it otherwise.
SCHEME = {"RU": "native", "UA": "cyrillic", "UZ": "cyrillic", "TJ": "cyrillic", "KG": "cyrillic", "KZ": "cyrillic",
          "AM": "cyrillic", "AZ": "cyrillic"}


# --- What happened to them -------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """One kind of exploitation: its HTCDS codes, what was promised, what happened, how they were held."""

    code: str
    types: tuple[str, ...]
    industry: str = ""
    sexual: str = ""
    promises: tuple[tuple[str, str], ...] = ()  # (English, Russian: "promised ...")
    what: tuple[str, str, str] = ("", "", "")  # English, Russian (she), Russian (he)
    controls: tuple[str, ...] = ()
    places: str = ""  # key of RUSSIA
    rehabilitation: str = htcds.SupportPlanType.LABOUR_REHABILITATION


SCENARIOS = {s.code: s for s in (
    Scenario("prostitution", (T.SEXUAL,), sexual=SX.PROSTITUTION,
             promises=(("work as a waitress", "работу официанткой"),
                       ("work as a dancer in a club", "работу танцовщицей в клубе"),
                       ("work as a hostess in a hotel", "работу хостес в отеле"), ("work as a nanny", "работу няней"),
                       ("work as a model", "работу моделью")),
             what=("forced into prostitution", "принуждалась к занятию проституцией",
                   "принуждался к занятию проституцией"),
             controls=(A.DEBT_BONDAGE, A.WITHHOLDS_DOCUMENTS, A.PHYSICAL_THREATS, A.PSYCHOLOGICAL_ABUSE, A.SEXUAL_ABUSE,
                       A.TAKES_EARNINGS, A.PHYSICAL_ABUSE, A.PSYCHOACTIVE_SUBSTANCE, A.THREATENS_FAMILY),
             places="sexual", rehabilitation=htcds.SupportPlanType.SEXUAL_REHABILITATION),
    Scenario("webcam", (T.SEXUAL,), sexual=SX.REMOTE,
             promises=(("a job as an online chat operator", "работу оператором онлайн-чата"),),
             what=("forced to work in a webcam studio", "принуждалась к работе в вебкам-студии",
                   "принуждался к работе в вебкам-студии"),
             controls=(A.DEBT_BONDAGE, A.WITHHOLDS_DOCUMENTS, A.PSYCHOLOGICAL_ABUSE, A.TAKES_EARNINGS,
                       A.THREATENS_FAMILY),
             places="sexual", rehabilitation=htcds.SupportPlanType.SEXUAL_REHABILITATION),
    Scenario("domestic", (T.FORCED_LABOUR, T.SERVITUDE), industry="T",
             promises=(("work as a housekeeper", "работу домработницей"), ("work as a nanny", "работу няней"),
                       ("work caring for an elderly woman", "работу сиделкой")),
             what=("kept as a domestic servant without pay", "удерживалась в качестве домашней прислуги без оплаты",
                   "удерживался в качестве домашней прислуги без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.EXCESSIVE_HOURS, A.WITHHOLDS_NECESSITIES, A.PSYCHOLOGICAL_ABUSE,
                       A.TAKES_EARNINGS, A.THREATS_LAW_ENFORCEMENT),
             places="domestic"),
    Scenario("domestic_sexual", (T.FORCED_LABOUR, T.SEXUAL), industry="T", sexual=SX.PRIVATE,
             promises=(("work as a housekeeper", "работу домработницей"), ("work as a nanny", "работу няней")),
             what=("held as a domestic servant and sexually exploited",
                   "удерживалась в качестве домашней прислуги и подвергалась сексуальной эксплуатации",
                   "удерживался в качестве домашней прислуги и подвергался сексуальной эксплуатации"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.SEXUAL_ABUSE, A.PHYSICAL_ABUSE, A.PSYCHOLOGICAL_ABUSE,
                       A.EXCESSIVE_HOURS, A.TAKES_EARNINGS),
             places="domestic", rehabilitation=htcds.SupportPlanType.SEXUAL_REHABILITATION),
    Scenario("construction", (T.FORCED_LABOUR,), industry="F",
             promises=(("a construction job with a good wage", "работу на стройке с хорошей оплатой"),
                       ("work as a plasterer", "работу штукатуром"), ("work as a welder", "работу сварщиком")),
             what=("made to work on building sites without pay", "работала на стройке без оплаты",
                   "работал на стройке без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.TAKES_EARNINGS, A.DEBT_BONDAGE, A.THREATS_LAW_ENFORCEMENT,
                       A.EXCESSIVE_HOURS, A.PHYSICAL_THREATS, A.WITHHOLDS_NECESSITIES),
             places="construction"),
    Scenario("bricks", (T.FORCED_LABOUR,), industry="C",
             promises=(("work at a factory", "работу на заводе"),
                       ("seasonal work in the south", "сезонную работу на юге")),
             what=("held at a brick factory and made to work without pay",
                   "удерживалась на кирпичном заводе и работала без оплаты",
                   "удерживался на кирпичном заводе и работал без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.PHYSICAL_ABUSE, A.PHYSICAL_THREATS, A.WITHHOLDS_NECESSITIES,
                       A.EXCESSIVE_HOURS, A.PSYCHOACTIVE_SUBSTANCE, A.TAKES_EARNINGS),
             places="bricks"),
    Scenario("garment", (T.FORCED_LABOUR,), industry="C",
             promises=(("work as a seamstress", "работу швеёй"),
                       ("work at a sewing workshop", "работу в швейном цеху")),
             what=("locked in an underground garment workshop", "была заперта в подпольном швейном цеху",
                   "был заперт в подпольном швейном цеху"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.EXCESSIVE_HOURS, A.DEBT_BONDAGE, A.TAKES_EARNINGS,
                       A.THREATS_LAW_ENFORCEMENT, A.WITHHOLDS_NECESSITIES),
             places="garment"),
    Scenario("farm", (T.FORCED_LABOUR,), industry="A",
             promises=(("seasonal work in greenhouses", "сезонную работу в теплицах"),
                       ("work on a farm", "работу на ферме")),
             what=("made to work in greenhouses without pay", "работала в теплицах без оплаты",
                   "работал в теплицах без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.DEBT_BONDAGE, A.TAKES_EARNINGS, A.EXCESSIVE_HOURS,
                       A.WITHHOLDS_NECESSITIES, A.THREATS_LAW_ENFORCEMENT),
             places="farm"),
    Scenario("fishing", (T.FORCED_LABOUR,), industry="A",
             promises=(("work at a fish farm", "работу на рыбном хозяйстве"),
                       ("work on a fishing boat", "работу на рыболовецком судне")),
             what=("made to work on a fishing boat without pay", "работала на рыболовецком судне без оплаты",
                   "работал на рыболовецком судне без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.DEBT_BONDAGE, A.EXCESSIVE_HOURS, A.PHYSICAL_THREATS,
                       A.WITHHOLDS_NECESSITIES),
             places="fishing"),
    Scenario("food", (T.FORCED_LABOUR,), industry="I",
             promises=(("work as a cook", "работу поваром"), ("work in a café", "работу в кафе")),
             what=("made to work in a café kitchen without pay", "работала на кухне кафе без оплаты",
                   "работал на кухне кафе без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.TAKES_EARNINGS, A.EXCESSIVE_HOURS, A.THREATS_LAW_ENFORCEMENT,
                       A.PSYCHOLOGICAL_ABUSE),
             places="food"),
    Scenario("market", (T.FORCED_LABOUR,), industry="G",
             promises=(("work as a sales assistant at a market", "работу продавцом на рынке"),),
             what=("made to work at a market stall without pay", "работала на рынке без оплаты",
                   "работал на рынке без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.TAKES_EARNINGS, A.DEBT_BONDAGE, A.EXCESSIVE_HOURS),
             places="market"),
    Scenario("warehouse", (T.FORCED_LABOUR,), industry="H",
             promises=(("work as a loader at a warehouse", "работу грузчиком на складе"),),
             what=("made to work at a warehouse without pay", "работала на складе без оплаты",
                   "работал на складе без оплаты"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.TAKES_EARNINGS, A.EXCESSIVE_HOURS, A.THREATS_LAW_ENFORCEMENT,
                       A.DEBT_BONDAGE),
             places="warehouse"),
    Scenario("begging", (T.FORCED_BEGGING,),
             promises=(("help with a job and a place to live", "помощь с работой и жильём"),),
             what=("forced to beg in the metro", "принуждалась к попрошайничеству в метро",
                   "принуждался к попрошайничеству в метро"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.PHYSICAL_ABUSE, A.TAKES_EARNINGS, A.WITHHOLDS_NECESSITIES,
                       A.PSYCHOACTIVE_SUBSTANCE),
             places="begging"),
    Scenario("marriage", (T.FORCED_MARRIAGE,),
             promises=(("marriage and a good life", "замужество и хорошую жизнь"),),
             what=("forced into marriage and held at home", "была принуждена к браку и удерживалась дома",
                   "был принуждён к браку"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.PSYCHOLOGICAL_ABUSE, A.PHYSICAL_ABUSE, A.SEXUAL_ABUSE,
                       A.RESTRICTS_FINANCES),
             places="domestic", rehabilitation=htcds.SupportPlanType.SOCIAL_CARE),
    Scenario("child_labour", (T.CHILD_LABOUR,), industry="G",
             promises=(("a holiday job at a market", "подработку на рынке на каникулах"),),
             what=("made to work at a market instead of going to school", "работала на рынке вместо учёбы",
                   "работал на рынке вместо учёбы"),
             controls=(A.WITHHOLDS_DOCUMENTS, A.TAKES_EARNINGS, A.EXCESSIVE_HOURS, A.PSYCHOLOGICAL_ABUSE),
             places="market", rehabilitation=htcds.SupportPlanType.EDUCATION),
)}
# Which scenarios, how often: (women, men) in Russia, abroad, and for children.
IN_RUSSIA = ({"prostitution": 33, "webcam": 5, "domestic": 12, "domestic_sexual": 5, "garment": 12, "farm": 8,
              "food": 12, "market": 5, "begging": 4, "marriage": 2},
             {"construction": 34, "bricks": 14, "farm": 14, "garment": 7, "food": 9, "market": 6, "warehouse": 11,
              "begging": 3, "fishing": 3})
ABROAD_SCENARIOS = ({"prostitution": 58, "domestic": 12, "domestic_sexual": 6, "food": 16, "farm": 4, "marriage": 3},
                    {"construction": 40, "farm": 25, "fishing": 15, "food": 20})
CHILDREN = ({"prostitution": 50, "child_labour": 30, "begging": 20}, {"child_labour": 60, "begging": 40})
COASTAL = {"TR", "GR", "KR", "TH", "EG", "AL"}
RECRUITMENT = ((R.FRIENDS, 30), (R.SOCIAL_NETWORKS, 22), (R.ONLINE_ADVERT, 18), (R.FAMILY, 8), (R.AT_WORK, 8),
               (R.NEWSPAPER_ADVERT, 6), (R.PLACE_OF_BUSINESS, 5), (R.EDUCATIONAL_INSTITUTION, 2), (R.OTHER, 1))
HOW_RECRUITED = {  # English, Russian
    R.FRIENDS: ("through an acquaintance", "через знакомых"),
    R.SOCIAL_NETWORKS: ("through a social network", "через социальную сеть"),
    R.ONLINE_ADVERT: ("through a job advert online", "по объявлению в интернете"),
    R.FAMILY: ("through a relative", "через родственника"),
    R.AT_WORK: ("by a foreman at work", "через бригадира на работе"),
    R.NEWSPAPER_ADVERT: ("through a newspaper advert", "по объявлению в газете"),
    R.PLACE_OF_BUSINESS: ("at a recruitment agency", "в кадровом агентстве"),
    R.EDUCATIONAL_INSTITUTION: ("at college", "в колледже"),
    R.OTHER: ("by a stranger at the station", "незнакомцем на вокзале"),
}

# --- Where cases come from -------------------------------------------------------------------------
# Nationalities of foreigners found in Russia (and of Russians found at home), by weight.
IN_RUSSIA_NATIONALITIES = (("RU", 30), ("UZ", 18), ("TJ", 14), ("KG", 9), ("UA", 5), ("MD", 4), ("KZ", 3), ("VN", 8),
                           ("NG", 8), ("AZ", 2), ("AM", 1), ("GH", 2))


@dataclass(frozen=True)
class Origin:
    """Who an organisation refers: nationalities, share of women, ages, and where they were found."""

    weight: float
    nationalities: tuple[tuple[str, float], ...] = IN_RUSSIA_NATIONALITIES
    women: float = 0.45
    ages: tuple[int, int] = (18, 55)
    minors: float = 0.04
    abroad: tuple[str, ...] = ()  # countries where Russians it refers were found
    abroad_share: float = 0.0
    region: str = ""  # where in Russia
    scenarios: tuple[str, ...] = ()  # only these (empty: any)


NGO_ORIGINS = {
    ANGEL: Origin(30, (("RU", 5), ("UZ", 1), ("KG", 1), ("UA", 1), ("MD", 1), ("NG", 1)), women=1.0,
                  abroad=("TR", "AE", "EG"), abroad_share=0.35),
    "Civic Assistance Committee": Origin(10, (("NG", 3), ("GH", 1), ("UZ", 2), ("TJ", 2), ("KG", 1), ("VN", 1))),
    "Memorial Human Rights Centre, Migration Rights programme": Origin(6, (("UZ", 3), ("TJ", 3), ("KG", 2))),
    "Sisters, Independent Charitable Centre for Survivors of Sexual Assault": Origin(
        7, (("RU", 7), ("UA", 1), ("MD", 1)), women=1.0, scenarios=("prostitution", "webcam", "domestic_sexual")),
    "ANNA Centre for the Prevention of Violence": Origin(4, (("RU", 6), ("UZ", 1), ("KG", 1)), women=1.0),
    "Russian Red Cross": Origin(6, (("UZ", 2), ("TJ", 2), ("KG", 1), ("RU", 1), ("VN", 1))),
    "St Petersburg Red Cross": Origin(5, (("UZ", 2), ("TJ", 1), ("KG", 1), ("RU", 1)), region="spb"),
    "Russian Red Cross, Astrakhan branch": Origin(3, (("UZ", 2), ("KZ", 2), ("AZ", 1)), region="astrakhan"),
    "Stellit": Origin(5, (("RU", 1),), women=0.7, ages=(14, 23), minors=0.4, region="spb"),
    "Tajik Labour Migrants' Association": Origin(5, (("TJ", 1),), women=0.15),
    "La Strada Moldova": Origin(4, (("MD", 1),), women=0.6),
    "Caritas Austria": Origin(3, (("RU", 1),), women=0.8, abroad=("AT",), abroad_share=1.0),
    "Petrozavodsk Women's Crisis Centre": Origin(4, (("RU", 1),), women=1.0),
    "Astrakhan Centre for Migrants' Rights": Origin(4, (("UZ", 2), ("KZ", 2), ("AZ", 1), ("TJ", 1)), women=0.3,
                                                     region="astrakhan"),
    "Children's Shelter Rainbow": Origin(2, (("TJ", 1), ("UZ", 1), ("KG", 1)), women=0.5, ages=(11, 17), minors=1.0),
    "Doctors to Children": Origin(1, (("RU", 2), ("UZ", 1)), women=0.5, ages=(12, 17), minors=1.0, region="spb"),
}
STATE_ORIGINS = {  # state structures of Moscow
    "Federal Migration Service": Origin(3, (("UZ", 3), ("TJ", 3), ("KG", 2), ("VN", 1)), region="moscow"),
    "Social Adaptation Centre Lyublino": Origin(3, (("RU", 1),), women=0.2, ages=(25, 60), region="moscow"),
    "High Commissioner for Human Rights in the Russian Federation": Origin(1, region="moscow"),
}
OTHER_ORIGINS = {
    "Synodal Department for Church Charity": Origin(2, (("RU", 3), ("UA", 1), ("MD", 1))),
    "Spiritual Administration of Muslims of the Russian Federation": Origin(2, (("UZ", 2), ("TJ", 2), ("KG", 1))),
}
HOTLINE_ORIGIN = Origin(1, (("RU", 9), ("UZ", 3), ("TJ", 2), ("KG", 2), ("UA", 1), ("MD", 1)), women=0.55,
                        abroad=("TR", "AE", "KR", "EG"), abroad_share=0.4)
SELF_ORIGIN = Origin(1, (("RU", 2), ("UZ", 1), ("TJ", 1), ("KG", 1)), women=0.5)
LAW_CITIES = {"moscow": "Moscow", "spb": "St Petersburg", "astrakhan": "Astrakhan", "primorye": "Vladivostok"}

# --- The partners people are referred to ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A partner's service the centre refers people to, and what the referral carries."""

    need: str
    organisation: str
    service: str  # the service's name in the directory ("" for an organisation without services)
    categories: tuple[str, ...]
    reason: tuple[str, str]  # English, Russian
    feedback: tuple[str, str]
    days: tuple[int, int]  # from acceptance to completion


I_, C_, S_, E_, H_, DOC = (DataCategory.IDENTITY, DataCategory.CONTACTS, DataCategory.SITUATION,
                           DataCategory.EXPLOITATION, DataCategory.HEALTH, DataCategory.DOCUMENTS)
TARGETS = {t.need: t for t in (
    Target("shelter", ANGEL, "Shelter for women victims of trafficking", (I_, C_, S_, E_),
           ("Safe accommodation and psychological support after her stay in the centre.",
            "Безопасное размещение и психологическая поддержка после выхода из центра."),
           ("She stayed with us and took part in the support group; she has a job and a room now.",
            "Проживала у нас, посещала группу поддержки; сейчас работает и снимает комнату."), (30, 120)),
    Target("reintegration", ANGEL, "Reintegration support for women", (I_, C_, S_),
           ("Reintegration: vocational training and support in finding work.",
            "Реинтеграция: профессиональное обучение и помощь в трудоустройстве."),
           ("Finished a hairdressing course; works at a salon in her town.",
            "Окончила курсы парикмахеров; работает в салоне в своём городе."), (60, 180)),
    Target("sexual_violence", "Sisters, Independent Charitable Centre for Survivors of Sexual Assault",
           "Helpline for survivors of sexual violence", (I_, C_, S_),
           ("Counselling for a survivor of sexual violence.", "Консультирование пострадавшей от сексуального насилия."),
           ("Eight counselling sessions; she will call the helpline when she needs to.",
            "Проведено восемь консультаций; при необходимости обратится на линию помощи."), (20, 60)),
    Target("tb", "Moscow City Centre for TB Control", "TB screening and treatment", (I_, H_),
           ("Chest X-ray and sputum test: cough for three weeks.", "Флюорография и анализ мокроты: кашель три недели."),
           ("Screening done: no active tuberculosis.", "Обследование проведено: активный туберкулёз не выявлен."),
           (5, 30)),
    Target("hiv", "Moscow Regional AIDS Centre", "Anonymous HIV testing and counselling", (I_, H_),
           ("HIV and hepatitis testing with counselling.", "Тестирование на ВИЧ и гепатиты с консультированием."),
           ("Tested and counselled; results given to the person in person.",
            "Тестирование и консультирование проведены; результаты сообщены лично."), (3, 14)),
    Target("legal", "Civic Assistance Committee", "Legal aid for refugees and migrants", (I_, C_, DOC, S_, E_),
           ("Legal help: unpaid wages and the criminal case against the employer.",
            "Юридическая помощь: невыплаченная зарплата и уголовное дело против работодателя."),
           ("A lawyer represented the person as a victim in the criminal case; the court hearing was held.",
            "Юрист представлял интересы клиента как потерпевшего; судебное заседание состоялось."), (30, 150)),
    Target("legal_migrants", "Memorial Human Rights Centre, Migration Rights programme",
           "Migration and Law lawyers' network", (I_, C_, DOC, S_),
           ("Legal advice on migration status and documents.", "Консультация по миграционному статусу и документам."),
           ("Consulted twice; the administrative fine was cancelled by the court.",
            "Две консультации; административный штраф отменён судом."), (20, 90)),
    Target("social", "Russian Red Cross", "Social support for migrants and refugees", (I_, C_, S_),
           ("Clothes, hygiene kit and food parcel before the journey home.",
            "Одежда, гигиенический набор и продуктовый набор перед отъездом."),
           ("Parcel and clothes given.", "Выданы продуктовый набор и одежда."), (2, 15)),
    Target("homeless", "Social Adaptation Centre Lyublino", "Temporary accommodation for adults", (I_, DOC, S_),
           ("Accommodation while his passport is restored.", "Размещение на время восстановления паспорта."),
           ("Stayed four months; passport restored, registered at his sister's address.",
            "Проживал четыре месяца; паспорт восстановлен, зарегистрирован у сестры."), (60, 150)),
    Target("young", "Stellit", "Support for young victims of trafficking", (I_, C_, S_, E_),
           ("Case management for a young victim and her family after return.",
            "Сопровождение молодой пострадавшей и её семьи после возвращения."),
           ("Back at college; the family takes part in the sessions.", "Возвращение к учёбе; семья посещает занятия."),
           (60, 180)),
    Target("karelia", "Petrozavodsk Women's Crisis Centre", "Crisis rooms for women", (I_, C_, S_),
           ("Support in Petrozavodsk after her return home.", "Поддержка в Петрозаводске после возвращения домой."),
           ("Met her at the station; weekly meetings with our psychologist for two months.",
            "Встретили на вокзале; два месяца еженедельных встреч с психологом."), (30, 90)),
    Target("children", "Children's Shelter Rainbow", "Shelter for children", (I_, S_, H_),
           ("Care for the child while the family is traced and the return is prepared.",
            "Уход за ребёнком на время поиска семьи и подготовки возвращения."),
           ("Stayed with us until the return; handed over to the mother at the airport.",
            "Пребывание у нас до возвращения; передача матери в аэропорту."), (14, 60)),
    Target("return_UZ", "IOM Tashkent", "Reception at Tashkent airport and reintegration", (I_, C_, S_),
           ("Reception on arrival and reintegration assistance in Uzbekistan.",
            "Встреча по прибытии и помощь в реинтеграции в Узбекистане."),
           ("Met at the airport; reintegration grant used for a small greenhouse.",
            "Встреча в аэропорту состоялась; грант использован на небольшую теплицу."), (30, 120)),
    Target("return_TJ", "IOM Dushanbe", "Reintegration grants in Tajikistan", (I_, C_, S_),
           ("Reintegration assistance after return to Tajikistan.",
            "Помощь в реинтеграции после возвращения в Таджикистан."),
           ("Grant paid; a small repair shop opened in the home town.",
            "Грант выплачен; открыта небольшая мастерская."),
           (30, 120)),
    Target("return_MD", "IOM Chisinau", "Rehabilitation centre in Chisinau", (I_, C_, S_, H_),
           ("Reception and rehabilitation in Moldova after return.",
            "Приём и реабилитация в Молдове после возвращения."),
           ("Two weeks at the rehabilitation centre; back with the family.",
            "Две недели в реабилитационном центре; возвращение в семью."), (14, 60)),
)}
EMBASSY_REASON = ("A certificate of return: the person's passport was taken by the employer.",
                  "Свидетельство на возвращение: паспорт был отобран работодателем.")
EMBASSY_FEEDBACK = ("Certificate of return issued.", "Свидетельство на возвращение выдано.")
DECLINES = (("No free places this month.", "В этом месяце нет свободных мест."),
            ("The person does not meet our criteria (age).", "Не соответствует нашим критериям (возраст)."),
            ("We cannot take a person without a medical certificate.", "Не можем принять без медицинской справки."))
CANCELS = (("The person left for home earlier than planned.", "Выезд домой раньше запланированного."),
           ("The person no longer needs this service.", "Услуга больше не требуется."),
           ("Referred to another organisation closer to home.", "Направлена в организацию ближе к дому."))
PROGRESS = (("First meeting held; next one on Monday.", "Первая встреча проведена; следующая в понедельник."),
            ("Work with the person has started.", "Работа с клиентом начата."),
            ("Attends regularly.", "Посещает регулярно."))


# --- Texts of the plan, notes and outcomes ---------------------------------------------------------
GOALS = {
    htcds.SupportPlanType.HEALTH: ("Medical examination and treatment", "Медицинское обследование и лечение"),
    htcds.SupportPlanType.SOCIAL_CARE: ("Safe accommodation and social support",
                                        "Безопасное размещение и социальная поддержка"),
    htcds.SupportPlanType.LEGAL: ("Legal support and restored documents",
                                  "Юридическая поддержка и восстановление документов"),
    htcds.SupportPlanType.LABOUR_REHABILITATION: ("Psychological rehabilitation", "Психологическая реабилитация"),
    htcds.SupportPlanType.SEXUAL_REHABILITATION: ("Psychological rehabilitation", "Психологическая реабилитация"),
    htcds.SupportPlanType.LIVELIHOOD: ("Reintegration: work and income at home", "Реинтеграция: работа и доход дома"),
    htcds.SupportPlanType.FINANCIAL: ("Reintegration grant", "Грант на реинтеграцию"),
    htcds.SupportPlanType.EDUCATION: ("Back to school", "Возвращение к учёбе"),
}
TASKS = {
    "medical": (("Accompany to the medical examination", "Сопроводить на медицинское обследование"),
                ("Get the test results from the clinic", "Получить результаты анализов")),
    "legal": (("Call the investigator about the interview date", "Позвонить следователю о дате допроса"),
              ("Prepare the statement for the court", "Подготовить заявление в суд")),
    "documents": (("Request a certificate of return from the embassy",
                   "Запросить свидетельство на возвращение в посольстве"),),
    "return": (("Book the flight home", "Забронировать билет домой"),
               ("Confirm the reception with the mission at home",
                "Подтвердить встречу с миссией в стране возвращения")),
    "home": (("Buy the train ticket home", "Купить билет на поезд домой"),
             ("Call the family about the arrival", "Позвонить семье о приезде")),
    "grant": (("Prepare the grant agreement", "Подготовить договор о гранте"),
              ("Check the business plan with the person", "Обсудить бизнес-план")),
    "psych": (("Book the sessions with the psychologist", "Записать на консультации психолога"),),
    "follow": (("Follow-up call", "Контрольный звонок"), ("Follow-up visit report", "Отчёт о контрольном визите")),
}
NOTES = {
    "intake": (("Arrived tired and frightened; slept most of the first day. Agreed to stay in the centre.",
                "При поступлении — сильная усталость и страх; первые сутки сон. Согласие остаться в центре получено."),
               ("Intake interview held with an interpreter. Needs: medical check, documents, contact with family.",
                "Первичное интервью с переводчиком. Потребности: медосмотр, документы, связь с семьёй."),
               ("Called the family from the centre; they had not heard from the person for months.",
                "Позвонили семье из центра; родные несколько месяцев не имели никаких известий.")),
    "active": (("Sleeps better; attends the sessions with the psychologist.",
                "Сон наладился; регулярно посещает психолога."),
               ("Gave evidence to the investigator, accompanied by our lawyer.",
                "Показания следователю даны в присутствии нашего юриста."),
               ("Asked to go home as soon as possible; return being prepared.",
                "Просьба о скорейшем возвращении домой; готовим выезд.")),
    "follow": (("Follow-up call: at home, working, in touch with the local NGO.",
                "Контрольный звонок: дома, работает, на связи с местной НКО."),
               ("Follow-up: the grant was spent as planned; receipts received.",
                "Мониторинг: грант использован по плану, чеки получены.")),
}
OUTCOMES = {
    "medical": (("Examined by the centre's doctor; treatment prescribed.", "Осмотр врачом центра, назначено лечение."),
                ("Gynaecological examination and tests.", "Гинекологический осмотр и анализы."),
                ("Dental treatment.", "Стоматологическое лечение."),
                ("Chest X-ray: clear.", "Флюорография: без патологии.")),
    "psychological": (("Individual session.", "Индивидуальная консультация."),
                      ("Crisis intervention after a panic attack.", "Кризисная консультация после панической атаки.")),
    "social_counselling": (("Plan of assistance discussed; contact with the family.",
                            "Обсуждён план помощи; связь с семьёй."),),
    "legal_counselling": (("Rights of a victim in criminal proceedings explained.", "Разъяснены права потерпевшего."),
                          ("Help with the application for unpaid wages.",
                           "Помощь с заявлением о невыплаченной зарплате.")),
    "reintegration_training": (("Course on starting a small business.", "Курс по открытию малого бизнеса."),
                               ("Job-search training.", "Тренинг по поиску работы.")),
}
PLANS = (("Small business at home: sewing workshop; grant for a sewing machine and fabric.",
          "Малый бизнес дома: швейная мастерская; грант на швейную машину и ткани."),
         ("Vocational course (hairdresser) and the first months' rent.",
          "Курсы парикмахеров и аренда жилья на первые месяцы."),
         ("Livestock: two cows for the family farm.", "Животноводство: две коровы для семейного хозяйства."),
         ("Taxi work: driving licence course and a deposit for a car rental.",
          "Работа в такси: курсы вождения и залог за аренду автомобиля."),
         ("Return to college: tuition for one year and a laptop.",
          "Продолжение учёбы: оплата года обучения и ноутбук."))
CLOSURE_NOTES = {
    htcds.ClosureReason.ASSISTANCE_COMPLETED: ("All planned assistance delivered.",
                                               "Вся запланированная помощь оказана."),
    htcds.ClosureReason.REINTEGRATED: ("Living at home, working; no further needs.",
                                       "Живёт дома, работает; потребностей нет."),
    htcds.ClosureReason.RETURNED: ("Returned home; met by the mission on arrival.",
                                   "Возвращение домой состоялось; встреча миссией по прибытии."),
    htcds.ClosureReason.REFERRED: ("Handed over to the partner for continued support.",
                                   "Случай передан партнёру для дальнейшей поддержки."),
    htcds.ClosureReason.DECLINED: ("Declined further assistance and withdrew consent.",
                                   "Отказ от дальнейшей помощи; согласие отозвано."),
    htcds.ClosureReason.LOST_CONTACT: ("No answer to calls for two months.", "Два месяца не отвечает на звонки."),
    htcds.ClosureReason.NOT_A_VICTIM: (
        "Screening found no indicators of trafficking; referred for legal advice.",
        "Признаков торговли людьми не выявлено; дано направление на юридическую консультацию."),
    htcds.ClosureReason.OTHER: ("Moved to another region.", "Переезд в другой регион."),
}
COSTS = {  # roubles: (low, high); accommodation is per night
    "airport_reception": (3500, 6500), "accommodation": (1800, 1800), "medical": (2500, 18000),
    "psychological": (3000, 3000), "legal_counselling": (5000, 9000), "domestic_transport": (2800, 9500),
    "return_transport": (14000, 52000), "medical_escort": (22000, 40000), "reintegration_grant": (30000, 100000),
    "reintegration_training": (8000, 25000),
}


# --- One case, planned before anything is written ----------------------------------------------------
@dataclass
class Stay:
    person: int  # 0: the principal, 1..: the family member of that number
    room: str = ""
    bed: int = 0
    start: datetime.date = EPOCH
    end: datetime.date | None = None  # the planned check-out (after today: still in the centre)


@dataclass
class Plan:
    """A referral planned for a case: to whom, when, and how it went."""

    target: Target | None
    organisation: Organisation
    service: Service | None
    sent: datetime.date | None  # None: a draft
    status: str = ReferralStatus.SENT
    answered: datetime.date | None = None
    progress: datetime.date | None = None
    ended: datetime.date | None = None  # completed, declined or cancelled on
    note: tuple[str, str] = ("", "")
    consent_withdrawn: datetime.date | None = None
    forced: bool = False


@dataclass
class Story:
    number: int
    channel: str
    organisation: Organisation | None
    nationality: str
    sex: str
    age: int
    opened: datetime.date
    scenario: Scenario
    abroad: str = ""  # country where a Russian was found
    place: Place = ("", "", "", "")
    home: tuple[str, str] = ("", "")
    language: str = "ru"
    real: bool = False
    inbound: bool = False  # opened from an inbound referral of the demo partner
    recruited: datetime.date = EPOCH
    exploited: datetime.date = EPOCH
    identified: datetime.date = EPOCH
    start: datetime.date | None = None  # assistance starts (None: never did)
    exit: datetime.date | None = None  # left early
    exit_reason: str = ""
    stay_days: int = 0
    stays: list[Stay] = field(default_factory=list)
    active_days: int = 0
    follow_days: int = 0
    travel_days: int = 0
    active_end: datetime.date | None = None
    follow_end: datetime.date | None = None
    closed: datetime.date | None = None
    status: str = htcds.CaseStatus.INTAKE
    closure: str = ""
    owner: User | None = None
    family: list[dict[str, Any]] = field(default_factory=list)  # person fields + role
    fields: dict[str, Any] = field(default_factory=dict)
    document: dict[str, Any] | None = None
    proceedings: str = ProceedingsStatus.NONE
    participation: str = VictimParticipation.NONE
    recruitment: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    relationship: str = ""
    grant: int = 0
    referrals: list[Plan] = field(default_factory=list)
    case: Case | None = None
    persons: list[Person] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)

    @property
    def foreign(self) -> bool:
        return self.nationality != "RU"

    @property
    def minor(self) -> bool:
        return self.age < 18

    @property
    def returns_home(self) -> bool:
        """Foreigners go back to their country; Russians from another city to their home town."""
        return self.foreign or self.home[0] not in ("Moscow", "")

    def text(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.language == "en" else pair[1]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """That day at that time, in the office's time zone; today's times are squeezed before now, in order, so
    that nothing of today seems to happen later today."""
    zone = timezone.get_default_timezone()
    value = datetime.datetime.combine(day, datetime.time(hour % 24, minute % 60), tzinfo=zone)
    now = timezone.now()
    if value > now and day == timezone.localdate(now, zone):
        midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
        value = midnight + (value - midnight) * ((now - midnight) / datetime.timedelta(days=1))
    return value


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]] | dict[Any, float]) -> Any:
    pairs = list(options.items()) if isinstance(options, dict) else list(options)
    return rng.choices([value for value, _weight in pairs], weights=[weight for _value, weight in pairs])[0]


def _workday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _back_to_workday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _age_band(age: int) -> str:
    for band in AgeBand.values:
        if band.endswith("+") and age >= int(band[:-1]):
            return band
        if "-" in band and int(band.split("-")[0]) <= age <= int(band.split("-")[1]):
            return band
    return ""


@contextmanager
def _dated_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """While the demo writes history, a row's "created at" is the day it happened, not the day of the load:
    `auto_now`/`auto_now_add` are off for these models (and back on afterwards, whatever happens)."""
    fields = [f for model in model_classes for f in model._meta.concrete_fields
              if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def _insert(model: type[models.Model], rows: list[models.Model], *, returning: bool = True) -> None:
    """Insert many rows as the registry's bulk loader does (`people.bulk.BulkWriter`: prepared values of
    non-sensitive fields cached, encrypted ones encrypted each time), after pointing their foreign keys at the
    rows saved before them; with `returning`, the rows get their new ids."""
    relations = [f for f in model._meta.concrete_fields if f.is_relation]
    for row in rows:
        for f in relations:
            if getattr(row, f.attname) is None and f.is_cached(row):
                related = f.get_cached_value(row)
                if related is not None:
                    setattr(row, f.attname, related.pk)
    auto_id = isinstance(model._meta.pk, models.AutoField)
    BulkWriter(model).insert(rows, returning=returning and auto_id)


def _allocate(prefix: str, year: int, count: int) -> list[str]:
    """`count` consecutive references of `prefix` in `year`, the sequence moved past them as `next_reference`
    moves it one at a time: the next real case or referral takes the number after the last one here."""
    if count <= 0:
        return []
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    ReferenceSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    return [f"{prefix}-{year}-{number:05d}" for number in range(sequence.last + 1, sequence.last + count + 1)]


# --- Loading -------------------------------------------------------------------------------------------
def load(stdout) -> None:
    centre = Office.objects.filter(code=CENTRE).first()
    users = {user.username: user for user in User.objects.filter(username__in=(CASEWORKER, MANAGER, PARTNER))}
    angel = Organisation.objects.filter(name=ANGEL).first()
    if centre is None or len(users) < 3 or angel is None:
        stdout.write("Counter-trafficking: skipped (load the demo offices, users and partner directory first).")
        return
    if Case.objects.filter(programme=CT, owner__username__in=[w[0] for w in WORKERS]).exists():
        stdout.write(f"Counter-trafficking: demo cases already loaded "
                     f"({Case.objects.filter(programme=CT).count()} cases).")
        return
    Demo(stdout, centre, users, angel).run()


class Demo:
    """Plans every case first (dates, stays, referrals), then writes them in bulk."""

    def __init__(self, stdout, centre: Office, users: dict[str, User], angel: Organisation) -> None:
        self.stdout = stdout
        self.centre = centre
        self.caseworker, self.manager, self.partner = users[CASEWORKER], users[MANAGER], users[PARTNER]
        self.angel = angel
        self.today = timezone.localdate()
        self.start = D(self.today.year - 2, 1, 1)
        self.rng = random.Random(SEED)
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.events: list[tuple[Story, str, datetime.datetime, str, User | None, models.Model | None]] = []

    # --- Setting up -------------------------------------------------------------------------------------
    def run(self) -> None:
        self.workers = self._workers()
        self.rooms = self._rooms()
        self.organisations = self._organisations()
        self.service_types = {t.code: t for t in ServiceType.objects.all()}
        stories = self._plan()
        self._schedule_beds(stories)
        for story in stories:
            self._finish(story)
        self._owners(stories)
        for story in stories:
            self._plan_referrals(story)
        self._showcase(stories)
        self._write(stories)
        self._report(stories)

    def _workers(self) -> list[User]:
        """The centre's case workers: the demo's `caseworker` and three more made here."""
        made, password = [], None
        for username, first, last in WORKERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = password or make_password(DEMO_PASSWORD)  # slow on purpose: once is enough
                user = User.objects.create(
                    username=username, first_name=first, last_name=last, role=Role.CASE_WORKER,
                    email=f"{username}@waypoint.example", office=self.centre, programmes=[str(CT)], password=password)
            made.append(user)
        return made

    def _rooms(self) -> dict[str, tuple[Room, str]]:
        rooms = {}
        for name, beds, kind in ROOMS:
            room, _created = Room.objects.get_or_create(office=self.centre, name=name, defaults={"beds": beds})
            rooms[name] = (room, kind)
        return rooms

    def _organisations(self) -> dict[str, Organisation]:
        """The directory by name, with the missions abroad that the seeds' 38.3% come from."""
        for name, city, country in MISSIONS:
            Organisation.objects.get_or_create(name=name, defaults={
                "organisation_type": OrganisationType.MISSION, "city": city, "country": country,
                "description": "Mission of the organisation: identification and return of victims of trafficking "
                               "to the Russian Federation."})
        return {o.name: o for o in Organisation.objects.filter(is_active=True).prefetch_related("services")}

    # --- Planning ---------------------------------------------------------------------------------------
    def _channels(self) -> list[str]:
        """Channels of the cases to make, so that all CT cases together follow the seeds' shares."""
        existing = Counter(Case.objects.filter(programme=CT).values_list("channel", flat=True))
        total = max(TOTAL_CASES, sum(existing.values()))
        exact = {channel: total * share / 100 for channel, share in SOURCES}
        counts = {channel: math.floor(value) for channel, value in exact.items()}
        for channel in sorted(exact, key=lambda c: exact[c] - counts[c], reverse=True)[: total - sum(counts.values())]:
            counts[channel] += 1
        channels = []
        for channel, _share in SOURCES:
            channels += [channel] * max(0, counts[channel] - existing.get(channel, 0))
        self.rng.shuffle(channels)
        return channels

    def _plan(self) -> list[Story]:
        channels = self._channels()
        # The last few are opened through the services, in the last days, from these sources.
        real_sources = [Channel.MISSION_ABROAD, Channel.LAW_ENFORCEMENT, Channel.NGO, Channel.DIPLOMATIC,
                        Channel.MISSION_ABROAD, Channel.NGO]
        real = []
        for channel in real_sources[:SERVICE_CASES]:
            if channel in channels:
                channels.remove(channel)
                real.append(channel)
        bulk_until = self.today - datetime.timedelta(days=10)
        span = (bulk_until - self.start).days
        dates = []
        for _n in range(len(channels)):
            u = self.rng.random()  # more cases each year: density grows from 0.75 to 1.25 over the period
            x = (-0.75 + math.sqrt(0.5625 + u)) / 0.5
            dates.append(self.start + datetime.timedelta(days=int(x * span)))
        dates.sort()
        stories: list[Story] = []
        joint = [i for i, c in enumerate(channels) if c == Channel.JOINT_OPERATION]
        operations = self._operations(joint, dates)
        for number, (channel, opened) in enumerate(zip(channels, dates, strict=True)):
            operation = operations.get(number)
            stories.append(self._story(number, channel, operation[0] if operation else opened, operation))
        real_days = [9, 7, 5, 4, 2, 1]
        for offset, channel in enumerate(real):
            stories.append(self._story(len(stories), channel, self.today - datetime.timedelta(days=real_days[offset]),
                                       None, real=True))
        stories.sort(key=lambda s: (s.opened, s.number))
        angel_cases = [s for s in stories if s.organisation == self.angel and not s.minor
                       and s.opened > self.today - datetime.timedelta(days=300)]
        for story in angel_cases[-3:]:  # the partner referred them through Waypoint
            story.inbound = True
        return stories

    def _operations(self, joint: list[int], dates: list[datetime.date]) -> dict[int, tuple[datetime.date, str, Place]]:
        """Joint operations release several people at once: one date, one place, one kind of work."""
        groups, index = {}, 0
        while index < len(joint):
            size = min(len(joint) - index, self.rng.randint(3, 5))
            scenario = self.rng.choice(("bricks", "garment", "construction", "warehouse", "farm"))
            place = self.rng.choice(RUSSIA[SCENARIOS[scenario].places])
            for member in joint[index:index + size]:
                groups[member] = (dates[joint[index]], scenario, place)
            index += size
        return groups

    def _origin(self, channel: str, rng: random.Random) -> tuple[Organisation | None, Origin, str]:
        """The referring organisation, who it refers, and (for missions abroad) the country they were found in."""
        by_name = self.organisations
        if channel == Channel.MISSION_ABROAD:
            missions = [o for o in by_name.values() if o.organisation_type == OrganisationType.MISSION
                        and o.country in MISSION_WEIGHTS]
            mission = _weighted(rng, [(o, MISSION_WEIGHTS[o.country]) for o in missions])
            if mission.country in ("MD", "UZ", "TJ"):  # the family asked the mission at home to find them in Russia
                return mission, Origin(1, ((mission.country, 1),), women=0.5), ""
            return mission, Origin(1, (("RU", 1),), women=0.78), mission.country
        if channel == Channel.DIPLOMATIC:
            embassies = [o for o in by_name.values() if o.organisation_type == OrganisationType.DIPLOMATIC
                         and any(s.accepts_nationalities for s in o.services.all())]
            weights = {"UZ": 4, "TJ": 4, "KG": 3, "UA": 1, "MD": 2, "NG": 2}
            embassy = _weighted(rng, [(o, weights.get(self._nationality_of(o), 1)) for o in embassies])
            return embassy, Origin(1, ((self._nationality_of(embassy), 1),), women=0.45), ""
        if channel == Channel.NGO:
            name = _weighted(rng, [(n, o.weight) for n, o in NGO_ORIGINS.items() if n in by_name])
            origin = NGO_ORIGINS[name]
            abroad = rng.choice(origin.abroad) if origin.abroad and rng.random() < origin.abroad_share else ""
            return by_name[name], origin, abroad
        if channel == Channel.STATE_STRUCTURE:
            name = _weighted(rng, [(n, o.weight) for n, o in STATE_ORIGINS.items() if n in by_name])
            return by_name[name], STATE_ORIGINS[name], ""
        if channel == Channel.OTHER:
            name = _weighted(rng, [(n, o.weight) for n, o in OTHER_ORIGINS.items() if n in by_name])
            return by_name.get(name), OTHER_ORIGINS[name], ""
        if channel == Channel.HOTLINE:
            origin = HOTLINE_ORIGIN
            return None, origin, rng.choice(origin.abroad) if rng.random() < origin.abroad_share else ""
        if channel == Channel.SELF:
            return None, SELF_ORIGIN, ""
        return None, Origin(1), ""  # law enforcement and joint operations: the unit is chosen by the place

    @staticmethod
    def _nationality_of(embassy: Organisation) -> str:
        for service in embassy.services.all():
            if service.accepts_nationalities:
                return service.accepts_nationalities[0]
        return ""

    def _story(self, number: int, channel: str, opened: datetime.date,
               operation: tuple[datetime.date, str, Place] | None, *, real: bool = False) -> Story:
        rng = random.Random(f"{SEED}-{number}-{channel}")
        organisation, origin, abroad = self._origin(channel, rng)
        if channel == Channel.JOINT_OPERATION:
            origin = Origin(1, (("UZ", 4), ("TJ", 4), ("KG", 2), ("VN", 2)), women=0.2)
        nationality = _weighted(rng, origin.nationalities)
        if nationality != "RU":
            abroad = ""
        minor = rng.random() < (origin.minors if channel != Channel.LAW_ENFORCEMENT else 0.06)
        low, high = origin.ages
        if minor:
            age = rng.randint(low, 17) if low < 18 else rng.randint(14, 17)
        else:
            adult = max(low, 18)
            age = adult + int(rng.triangular(0, high - adult, min(6, high - adult)))
            if high >= 50 and rng.random() < 0.03:
                age = rng.randint(50, 62)
        sex = "F" if rng.random() < origin.women else "M"
        if operation:
            scenario = SCENARIOS[operation[1]]
            if scenario.code == "garment" and nationality not in ("VN", "KG", "UZ"):
                nationality = "KG"
        else:
            scenario = self._scenario(rng, sex, age, abroad, origin)
        story = Story(number=number, channel=channel, organisation=organisation, nationality=nationality, sex=sex,
                      age=age, opened=opened, scenario=scenario, abroad=abroad, rng=rng, real=real,
                      language="en" if rng.random() < 0.4 else "ru")
        story.home = rng.choice(HOMES.get(nationality, HOMES["RU"]))
        if nationality == "RU" and origin.region == "spb" and rng.random() < 0.6:
            story.home = ("St Petersburg", "Санкт-Петербург")
        if nationality == "RU" and organisation is not None and organisation.name.startswith("Petrozavodsk"):
            story.home = ("Petrozavodsk", "Петрозаводск")
        if operation:
            story.place = operation[2]
        elif abroad:
            story.place = rng.choice(ABROAD[abroad])
        else:
            places = RUSSIA[scenario.places]
            regional = [p for p in places if origin.region and p[3] == origin.region]
            story.place = rng.choice(regional or places)
        if channel in (Channel.LAW_ENFORCEMENT, Channel.JOINT_OPERATION):
            story.organisation = self._law_enforcement(story.place[3], channel, rng)
        self._people(story)
        self._dates(story)
        self._profile_facts(story)
        return story

    def _scenario(self, rng: random.Random, sex: str, age: int, abroad: str, origin: Origin) -> Scenario:
        table = CHILDREN if age < 18 else (ABROAD_SCENARIOS if abroad else IN_RUSSIA)
        weights = dict(table[0] if sex == "F" else table[1])
        if origin.scenarios:
            weights = {code: w for code, w in weights.items() if code in origin.scenarios} or {origin.scenarios[0]: 1}
        if abroad and abroad not in COASTAL:
            weights.pop("fishing", None)
        return SCENARIOS[_weighted(rng, weights)]

    def _law_enforcement(self, region: str, channel: str, rng: random.Random) -> Organisation | None:
        units = [o for o in self.organisations.values() if o.organisation_type == OrganisationType.LAW_ENFORCEMENT]
        city = LAW_CITIES.get(region, "Moscow") if channel == Channel.LAW_ENFORCEMENT else "Moscow"
        local = [o for o in units if o.city == city]
        if channel == Channel.JOINT_OPERATION or city == "Moscow":
            local = [o for o in local if "anti-trafficking" in o.name] or local
        if not local and rng.random() < 0.9:
            local = units
        return rng.choice(sorted(local, key=lambda o: o.name)) if local else None

    def _people(self, story: Story) -> None:
        rng = story.rng
        birth = story.opened - datetime.timedelta(days=int(365.25 * story.age) + rng.randint(0, 360))
        story.fields = self._person(story.nationality, story.sex, birth, rng)
        if rng.random() < (0.4 if story.foreign else 0.75):
            story.document = identity_document(story.fields, rng)
            story.document["number"] = normalise_document_number(story.document["number"])
        if not story.minor and not story.real and story.age >= 20 and rng.random() < 0.05:
            if story.sex == "F" and rng.random() < 0.7:
                child_age = rng.randint(1, min(12, story.age - 18))
                child_sex = rng.choice("FM")
                born = story.opened - datetime.timedelta(days=int(365.25 * child_age) + rng.randint(0, 300))
                child = self._person(story.nationality, child_sex, born, rng, family=story.fields["family_name"])
                story.family.append({**child, "role": MemberRole.CHILD})
            else:
                spouse_sex = "F" if story.sex == "M" else "M"
                spouse_age = max(18, story.age + rng.randint(-5, 5))
                spouse = self._person(story.nationality, spouse_sex,
                                      story.opened - datetime.timedelta(days=int(365.25 * spouse_age)), rng,
                                      family=story.fields["family_name"])
                story.family.append({**spouse, "role": MemberRole.SPOUSE})

    @staticmethod
    def _person(nationality: str, sex: str, birth: datetime.date, rng: random.Random,
                family: str = "") -> dict[str, Any]:
        """A person of the nationality, written as the centre writes names (people.populations)."""
        population = POPULATION[nationality]
        scheme = SCHEME.get(nationality, "native")
        given = rng.choice(population.male if sex == "M" else population.female)
        surname = family_for(population, rng.choice(population.family), sex)
        patronymic = patronymic_for(population, rng, sex)
        if nationality == "VN":
            patronymic = "Van" if sex == "M" else "Thi"
        fields = {"given_name": render(given, population, scheme), "family_name": render(surname, population, scheme),
                  "patronymic": render(patronymic, population, scheme) if patronymic else ""}
        if family and population.gendered_family:  # the family's name, in the form for this sex
            base = family[:-1] if family.endswith(("ова", "ева", "ёва", "ина", "ына")) else family
            fields["family_name"] = family_for(population, base, sex)
        elif family:
            fields["family_name"] = family
        languages = list(population.languages or ("ru",))
        if nationality != "RU" and population.cyrillic and "ru" not in languages:
            languages.append("ru")
        precise = nationality == "RU" or rng.random() < 0.85
        fields |= {
            "sex": sex, "birth_date": birth if precise else birth.replace(month=1, day=1),
            "birth_date_precision": "exact" if precise else "year", "citizenships": [nationality],
            "languages": languages[:2],
            "phone": (f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
                      if rng.random() < 0.55 else ""),
        }
        return fields

    def _dates(self, story: Story) -> None:
        """When it happened, and how long each part of the assistance takes (the status follows from these)."""
        rng = story.rng
        before = rng.randint(3, 40) if story.abroad else rng.randint(0, 10)
        story.identified = story.opened - datetime.timedelta(days=before)
        months = int(rng.triangular(1, 30, 6))
        story.exploited = story.identified - datetime.timedelta(days=months * 30 + rng.randint(0, 29))
        story.recruited = story.exploited - datetime.timedelta(days=rng.randint(3, 60))
        if story.real and story.opened >= self.today - datetime.timedelta(days=1):
            return  # still at intake
        intake = _weighted(rng, ((0, 55), (1, 30), (2, 10), (3, 5)))
        roll = rng.random() if not story.real else 1.0
        if roll < 0.03:  # left before assistance started
            story.exit = story.opened + datetime.timedelta(days=rng.randint(1, 6))
            story.exit_reason = _weighted(rng, ((htcds.ClosureReason.DECLINED, 2),
                                                (htcds.ClosureReason.NOT_A_VICTIM, 2),
                                                (htcds.ClosureReason.LOST_CONTACT, 1)))
            return
        story.start = story.opened + datetime.timedelta(days=intake)
        if roll < 0.07:  # left during assistance
            story.exit = story.start + datetime.timedelta(days=rng.randint(3, 20))
            story.exit_reason = _weighted(rng, ((htcds.ClosureReason.DECLINED, 3),
                                                (htcds.ClosureReason.LOST_CONTACT, 2),
                                                (htcds.ClosureReason.OTHER, 1)))
            return
        if rng.random() < (0.88 if story.foreign or story.home[0] != "Moscow" else 0.55):
            sexual = T.SEXUAL in story.scenario.types
            story.stay_days = int(rng.triangular(20, 120, 45) if sexual or story.minor else rng.triangular(7, 75, 25))
        story.active_days = rng.randint(14, 45)
        story.travel_days = rng.randint(0, 3) if story.returns_home else 0
        if story.foreign:
            story.follow_days = rng.randint(30, 120) if rng.random() < 0.35 else 0
        else:
            story.follow_days = rng.randint(60, 180) if rng.random() < 0.75 else 0

    def _profile_facts(self, story: Story) -> None:
        rng = story.rng
        story.recruitment = [_weighted(rng, RECRUITMENT)]
        if rng.random() < 0.2:
            story.recruitment.append(_weighted(rng, RECRUITMENT))
        story.recruitment = list(dict.fromkeys(story.recruitment))
        controls = list(story.scenario.controls)
        rng.shuffle(controls)
        story.controls = sorted(controls[: rng.randint(2, min(5, len(controls)))])
        if T.FORCED_LABOUR in story.scenario.types and A.FALSE_PROMISES not in story.controls and rng.random() < 0.5:
            story.controls.append(A.FALSE_PROMISES)
        story.relationship = _weighted(rng, ((htcds.RelationshipToTrafficker.ACQUAINTED, 52),
                                             (htcds.RelationshipToTrafficker.UNACQUAINTED, 40),
                                             (htcds.RelationshipToTrafficker.FAMILIAL, 8)))
        if story.recruitment[0] == R.FAMILY:
            story.relationship = htcds.RelationshipToTrafficker.FAMILIAL
        police = story.channel in (Channel.LAW_ENFORCEMENT, Channel.JOINT_OPERATION)
        if police:
            story.proceedings = _weighted(rng, ((ProceedingsStatus.OPENED, 40), (ProceedingsStatus.IN_COURT, 20),
                                                (ProceedingsStatus.CONVICTED, 15), (ProceedingsStatus.REPORTED, 15),
                                                (ProceedingsStatus.DISMISSED, 10)))
        else:
            story.proceedings = _weighted(rng, ((ProceedingsStatus.NONE, 60), (ProceedingsStatus.REPORTED, 25),
                                                (ProceedingsStatus.OPENED, 15)))
        recent = story.opened > self.today - datetime.timedelta(days=300)
        if story.proceedings == ProceedingsStatus.CONVICTED and recent:
            story.proceedings = ProceedingsStatus.IN_COURT  # courts take their time
        if story.proceedings in (ProceedingsStatus.NONE, ProceedingsStatus.REPORTED):
            story.participation = VictimParticipation.NONE
        else:
            story.participation = _weighted(rng, ((VictimParticipation.VICTIM_PARTY, 5),
                                                  (VictimParticipation.WITNESS, 3),
                                                  (VictimParticipation.DECLINED, 2)))

    # --- The centre's beds -------------------------------------------------------------------------------
    def _beds(self, sex: str, with_child: bool) -> list[tuple[str, int]]:
        kinds = ("family",) if with_child else (("F", "family") if sex == "F" else ("M",))
        return [(name, bed) for name, (room, kind) in self.rooms.items() if kind in kinds
                for bed in range(1, room.beds + 1)]

    def _schedule_beds(self, stories: list[Story]) -> None:
        """Give each planned stay a bed that is free for all of it (a bed is taken from check-in until the
        day of check-out); when the centre is full the person stays with a partner instead. Then make about
        `TODAY_OCCUPANCY` of the beds taken today."""
        self.last_out: dict[tuple[str, int], datetime.date] = {}
        planned = (s for s in stories if s.stay_days and s.start and s.start <= self.today)
        for story in sorted(planned, key=lambda s: (s.start, s.number)):
            self._give_beds(story, story.start, story.start + datetime.timedelta(days=story.stay_days))
        beds = sum(room.beds for room, _kind in self.rooms.values())
        target = round(TODAY_OCCUPANCY * beds)
        current = [s for s in stories if s.stays and s.stays[0].end > self.today]
        guests = sum(len(s.stays) for s in current)
        # Too many: the earliest guests left a few days ago.
        for story in sorted(current, key=lambda s: s.stays[0].start):
            if guests <= target:
                break
            leave = self.today - datetime.timedelta(days=story.rng.randint(1, 4))
            if leave > story.stays[0].start:
                for stay in story.stays:
                    stay.end = leave
                story.stay_days = (leave - story.stays[0].start).days
                guests -= len(story.stays)
        # Too few: the latest guests who left stay on, when nobody took their bed since.
        taken_after = defaultdict(list)
        for story in stories:
            for stay in story.stays:
                taken_after[(stay.room, stay.bed)].append(stay.start)
        gone = sorted((s for s in stories if s.stays and s.stays[0].end <= self.today and not s.exit),
                      key=lambda s: s.stays[0].end, reverse=True)
        for story in gone:
            if guests >= target:
                break
            if any(start > stay.start for stay in story.stays for start in taken_after[(stay.room, stay.bed)]):
                continue
            end = self.today + datetime.timedelta(days=story.rng.randint(3, 30))
            for stay in story.stays:
                stay.end = end
            story.stay_days = (end - story.stays[0].start).days
            guests += len(story.stays)

    def _give_beds(self, story: Story, start: datetime.date, end: datetime.date) -> None:
        child = next((i for i, m in enumerate(story.family, start=1) if m["role"] == MemberRole.CHILD), None)
        free = [bed for bed in self._beds(story.sex, child is not None)
                if self.last_out.get(bed, D(1900, 1, 1)) < start]
        if child is not None:
            rooms = Counter(name for name, _bed in free)
            room = next((name for name, count in sorted(rooms.items()) if count >= 2), None)
            if room is None:
                story.stay_days = 0
                return
            chosen = [bed for bed in free if bed[0] == room][:2]
        else:
            if not free:
                story.stay_days = 0
                return
            chosen = [sorted(free, key=lambda b: (self.last_out.get(b, D(1900, 1, 1)), b))[0]]
        for person, (room, bed) in zip((0, child), chosen, strict=False):
            story.stays.append(Stay(person=person, room=room, bed=bed, start=start, end=end))
            self.last_out[(room, bed)] = end

    # --- Statuses ----------------------------------------------------------------------------------------
    def _finish(self, story: Story) -> None:
        """The case's dates and its status today, from the plan."""
        rng, today = story.rng, self.today
        if story.exit:
            story.closed = story.exit
            story.closure = story.exit_reason
        elif story.start is None:
            story.status = htcds.CaseStatus.INTAKE
            return
        else:
            end_of_stay = story.stays[0].end if story.stays else None
            story.active_end = max(story.start + datetime.timedelta(days=story.active_days),
                                   end_of_stay or story.start) + datetime.timedelta(days=story.travel_days)
            if story.follow_days:
                story.follow_end = story.active_end + datetime.timedelta(days=story.follow_days)
                story.closed = story.follow_end
            else:
                story.closed = story.active_end + datetime.timedelta(days=rng.randint(0, 7))
            if story.foreign:
                story.closure = htcds.ClosureReason.RETURNED
            else:
                story.closure = _weighted(rng, ((htcds.ClosureReason.REINTEGRATED, 5),
                                                (htcds.ClosureReason.ASSISTANCE_COMPLETED, 4),
                                                (htcds.ClosureReason.LOST_CONTACT, 1)))
            if story.stays and story.stays[0].end > today:
                story.closed = None
        if story.closed and story.closed <= today:
            story.status = htcds.CaseStatus.CLOSED
        elif story.start is None or story.start > today:
            story.status = htcds.CaseStatus.INTAKE
        elif story.exit or (story.active_end and story.active_end > today) or story.active_end is None:
            story.status = htcds.CaseStatus.ACTIVE
        else:
            story.status = htcds.CaseStatus.FOLLOW_UP
        if story.status != htcds.CaseStatus.CLOSED:
            story.closed, story.closure = None, ""
        reintegrated = story.closed and story.closure in (htcds.ClosureReason.REINTEGRATED,
                                                          htcds.ClosureReason.RETURNED)
        following = story.status == htcds.CaseStatus.FOLLOW_UP
        if (reintegrated and rng.random() < 0.55) or (following and rng.random() < 0.5):
            story.grant = rng.randrange(*COSTS["reintegration_grant"], 5000)

    def _owners(self, stories: list[Story]) -> None:
        """The demo case worker owns about 25 open cases; the others share the rest."""
        others = self.workers
        existing = Case.objects.filter(programme=CT, owner=self.caseworker).exclude(
            status__in=(htcds.CaseStatus.CLOSED, htcds.CaseStatus.CLOSED_REFERRED)).count()
        open_ = [s for s in stories if s.status != htcds.CaseStatus.CLOSED]
        for story in open_:
            if story.real:
                story.owner = self.caseworker
        wanted = CASEWORKER_OPEN_CASES - existing - sum(1 for s in open_ if s.real)
        rest = [s for s in open_ if not s.real]
        step = len(rest) / wanted if wanted > 0 else 0
        mine = {int(i * step) for i in range(max(wanted, 0))} if rest else set()
        for position, story in enumerate(rest):
            story.owner = self.caseworker if position in mine else story.rng.choice(others)
        for story in stories:
            if story.owner is None:
                story.owner = _weighted(story.rng, ((self.caseworker, 30), (others[0], 25), (others[1], 25),
                                                    (others[2], 15), (self.manager, 5)))

    # --- Referrals ---------------------------------------------------------------------------------------
    def _target(self, need: str) -> tuple[Target, Organisation, Service | None] | None:
        target = TARGETS.get(need)
        organisation = self.organisations.get(target.organisation) if target else None
        if organisation is None:
            return None
        service = next((s for s in organisation.services.all() if s.name == target.service), None)
        return target, organisation, service

    def _eligible(self, service: Service | None, story: Story) -> bool:
        if service is None:
            return True
        if service.accepts_sexes and story.sex not in service.accepts_sexes:
            return False
        if service.minimum_age is not None and story.age < service.minimum_age:
            return False
        if service.maximum_age is not None and story.age > service.maximum_age:
            return False
        return not (service.accepts_nationalities and story.nationality not in service.accepts_nationalities)

    def _plan_referrals(self, story: Story) -> None:
        """The partners the person is referred to, when, and what became of it by today."""
        if story.start is None or (story.exit and story.exit <= story.start + datetime.timedelta(days=3)):
            return
        rng, start = story.rng, story.start
        last = story.active_end or self.today
        needs: list[tuple[str, datetime.date]] = []

        def at(low: int, high: int, base: datetime.date = start) -> datetime.date:
            return base + datetime.timedelta(days=rng.randint(low, high))

        sexual = T.SEXUAL in story.scenario.types
        if story.foreign and rng.random() < 0.25:
            needs.append(("tb", at(1, 7)))
        if (sexual and rng.random() < 0.35) or rng.random() < 0.05:
            needs.append(("hiv", at(1, 10)))
        if story.foreign and story.participation != VictimParticipation.NONE and rng.random() < 0.5:
            needs.append((rng.choice(("legal", "legal", "legal_migrants")), at(5, 25)))
        if story.sex == "F" and not story.minor and story.home[0] == "Moscow" and rng.random() < 0.5:
            needs.append(("shelter", last - datetime.timedelta(days=rng.randint(1, 6))))
        if story.sex == "F" and not story.foreign and story.age >= 16 and rng.random() < 0.22:
            needs.append(("reintegration", last + datetime.timedelta(days=rng.randint(0, 10))))
        if sexual and story.sex == "F" and rng.random() < 0.12:
            needs.append(("sexual_violence", at(5, 20)))
        if story.home[0] == "Petrozavodsk" and story.sex == "F":
            needs.append(("karelia", last - datetime.timedelta(days=rng.randint(1, 5))))
        if story.home[0] == "St Petersburg" and story.age <= 23:
            needs.append(("young", last - datetime.timedelta(days=rng.randint(1, 5))))
        if story.minor and story.foreign and rng.random() < 0.6:
            needs.append(("children", at(1, 4)))
        if story.foreign and f"return_{story.nationality}" in TARGETS and rng.random() < 0.7:
            needs.append((f"return_{story.nationality}", last - datetime.timedelta(days=rng.randint(3, 8))))
        if story.foreign and rng.random() < 0.12:
            needs.append(("social", at(2, 14)))
        if not story.foreign and story.home[0] == "Moscow" and story.sex == "M" and rng.random() < 0.3:
            needs.append(("homeless", last - datetime.timedelta(days=rng.randint(1, 5))))
        for need, sent in needs:
            found = self._target(need)
            if found is None or not self._eligible(found[2], story):
                continue
            sent = max(_workday(sent), start)
            if sent > self.today:
                continue
            self._settle(story, Plan(found[0], found[1], found[2], sent))
        if story.foreign and not story.document and story.returns_home:
            embassy = next((o for o in self.organisations.values() if o.organisation_type == OrganisationType.DIPLOMATIC
                            and self._nationality_of(o) == story.nationality), None)
            if embassy is not None and rng.random() < 0.8:
                service = next(iter(embassy.services.all()), None)
                sent = _workday(at(2, 8))
                if sent <= self.today:
                    self._settle(story, Plan(None, embassy, service, sent))
        # Handed over: a partner took the person on, and the case was closed as referred.
        taken = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)
        if (story.status == htcds.CaseStatus.CLOSED and not story.exit and rng.random() < 0.3
                and any(p.status in taken and p.target for p in story.referrals)):
            story.status, story.closure = htcds.CaseStatus.CLOSED_REFERRED, htcds.ClosureReason.REFERRED

    def _settle(self, story: Story, plan: Plan) -> None:
        """How the referral went: answered in a few working days, then carried out, unless the case ended first."""
        rng = story.rng
        target = plan.target
        days = target.days if target else (10, 40)
        plan.answered = working_days_after(plan.sent, _weighted(rng, ((0, 20), (1, 30), (2, 20), (3, 15), (4, 10),
                                                                         (5, 5))))
        roll = rng.random()
        if roll < 0.05:
            plan.status, plan.ended = ReferralStatus.CANCELLED, plan.sent + datetime.timedelta(days=rng.randint(1, 6))
            plan.answered = None
            plan.note = rng.choice(CANCELS)
        elif roll < 0.15:
            plan.status, plan.ended, plan.note = ReferralStatus.DECLINED, plan.answered, rng.choice(DECLINES)
        else:
            plan.ended = plan.answered + datetime.timedelta(days=rng.randint(*days))
            plan.status = ReferralStatus.COMPLETED
            if (plan.ended - plan.answered).days > 14:
                plan.progress = plan.answered + datetime.timedelta(days=rng.randint(3, 12))
            plan.note = target.feedback if target else EMBASSY_FEEDBACK
        # A closed case has no referral left open: it was answered and completed (or cancelled) by the day it
        # closed (the workflow refuses to close a case with open referrals).
        closing = story.closed
        if closing and plan.sent >= closing:
            return
        if closing and ((plan.answered and plan.answered > closing) or (plan.ended and plan.ended > closing
                                                                         and plan.status == ReferralStatus.CANCELLED)):
            plan.status, plan.ended, plan.answered, plan.progress = ReferralStatus.CANCELLED, closing, None, None
            plan.note = rng.choice(CANCELS)
        elif closing and plan.ended and plan.ended > closing and plan.status == ReferralStatus.COMPLETED:
            plan.ended = max(plan.answered, closing - datetime.timedelta(days=rng.randint(0, 3)))
            if plan.progress and plan.progress >= plan.ended:
                plan.progress = None
        self._as_of_today(plan)
        story.referrals.append(plan)

    def _as_of_today(self, plan: Plan) -> None:
        """What is known today of a referral planned into the future."""
        today = self.today
        if plan.ended and plan.ended > today:
            if plan.status in (ReferralStatus.CANCELLED, ReferralStatus.DECLINED):  # not answered yet
                plan.status, plan.ended, plan.note = ReferralStatus.SENT, None, ("", "")
            else:
                plan.status, plan.ended = ReferralStatus.ACCEPTED, None
                if plan.progress and plan.progress <= today:
                    plan.status = ReferralStatus.IN_PROGRESS
                else:
                    plan.progress = None
        if plan.answered and plan.answered > today:
            plan.status, plan.answered, plan.progress, plan.ended = ReferralStatus.SENT, None, None, None
        if plan.status == ReferralStatus.SENT:
            plan.note = ("", "")

    def _showcase(self, stories: list[Story]) -> None:
        """Make sure the demo shows every state: the partner's inbox, answers overdue, drafts, a consent withdrawn
        after the referral (the partner no longer sees her details)."""
        today = self.today
        shelter, reintegration = self._target("shelter"), self._target("reintegration")
        women = [s for s in stories if s.status in (htcds.CaseStatus.ACTIVE, htcds.CaseStatus.FOLLOW_UP)
                 and s.sex == "F" and s.age >= 18 and s.start and not s.real and not s.exit
                 and not any(p.organisation == self.angel for p in s.referrals)]
        women.sort(key=lambda s: (s.owner != self.caseworker, s.number))
        # (status, sent so many days ago, consent withdrawn afterwards)
        wanted = ((ReferralStatus.SENT, 1, False), (ReferralStatus.SENT, 14, False),
                  (ReferralStatus.ACCEPTED, 4, False),
                  (ReferralStatus.IN_PROGRESS, 18, False), (ReferralStatus.IN_PROGRESS, 50, False),
                  (ReferralStatus.COMPLETED, 45, False), (ReferralStatus.DECLINED, 8, False),
                  (ReferralStatus.CANCELLED, 9, False), (ReferralStatus.COMPLETED, 60, True))
        for status, ago, withdrawn in wanted:
            story = next((s for s in women if s.start <= today - datetime.timedelta(days=ago)), None)
            if story is None or shelter is None:
                break
            women.remove(story)
            target, organisation, service = shelter if story.status == htcds.CaseStatus.ACTIVE else (
                reintegration or shelter)
            sent = max(story.start, _back_to_workday(today - datetime.timedelta(days=ago)))
            plan = Plan(target, organisation, service, sent, status=status, forced=True)
            if status != ReferralStatus.SENT:
                plan.answered = min(today, working_days_after(sent, story.rng.randint(0, 2)))
            if status == ReferralStatus.IN_PROGRESS:
                plan.progress = min(today, plan.answered + datetime.timedelta(days=3))
            if status == ReferralStatus.COMPLETED:
                plan.ended, plan.note = min(today, plan.answered + datetime.timedelta(days=20)), target.feedback
            if status == ReferralStatus.DECLINED:
                plan.ended, plan.note = plan.answered, story.rng.choice(DECLINES)
            if status == ReferralStatus.CANCELLED:
                plan.answered = None
                plan.ended, plan.note = min(today, sent + datetime.timedelta(days=2)), story.rng.choice(CANCELS)
            if withdrawn:
                plan.consent_withdrawn = min(today, plan.ended + datetime.timedelta(days=5))
            story.referrals.append(plan)
        # Answers overdue from organisations without Waypoint users (staff chase them), and drafts.
        others = [s for s in stories if s.status in (htcds.CaseStatus.ACTIVE, htcds.CaseStatus.FOLLOW_UP)
                  and s.start and not s.exit and s.foreign and s.start < today - datetime.timedelta(days=20)]
        others.sort(key=lambda s: (s.owner != self.caseworker, -s.number))
        needs = ["legal", "tb", "social", "legal_migrants"]
        for story in others:
            if not needs:
                break
            found = self._target(needs[0])
            if found is None or not self._eligible(found[2], story) or any(
                    p.target == found[0] for p in story.referrals):
                continue
            sent = _back_to_workday(today - datetime.timedelta(days=story.rng.randint(10, 18)))
            story.referrals.append(Plan(found[0], found[1], found[2], sent, status=ReferralStatus.SENT, forced=True))
            needs.pop(0)
        drafts = 0
        for story in (s for s in stories if s.status == htcds.CaseStatus.ACTIVE and s.owner == self.caseworker
                      and s.start and not s.real):
            found = self._target("hiv" if story.sex == "F" else "social")
            if drafts >= 3 or found is None or any(p.target == found[0] for p in story.referrals):
                continue
            story.referrals.append(Plan(found[0], found[1], found[2], None, status=ReferralStatus.DRAFT, forced=True))
            drafts += 1

    # --- Writing -----------------------------------------------------------------------------------------
    def _write(self, stories: list[Story]) -> None:
        real = [s for s in stories if s.real]
        bulk = [s for s in stories if not s.real]
        references: dict[int, str] = {}
        for year in sorted({s.opened.year for s in bulk}):
            of_year = [s for s in bulk if s.opened.year == year]
            for story, reference in zip(of_year, _allocate(CT, year, len(of_year)), strict=True):
                references[story.number] = reference
        for story in real:
            self._open_through_services(story)
        with _dated_as_given(Person, ProgrammeRegistration, IdentityDocument, Case, Referral, ReferralUpdate, Goal,
                             Task, CaseNote, ServiceDelivery, Movement, ConsentRecord, TraffickingProfile):
            self._persons(bulk)
            for story in bulk:
                story.case = Case(
                    reference=references[story.number], programme=CT, office=self.centre, owner=story.owner,
                    status=story.status, opened_on=story.opened, closed_on=story.closed,
                    closure_reason=story.closure,
                    closure_note=story.text(CLOSURE_NOTES[story.closure]) if story.closure else "",
                    risk_level=self._risk(story), vulnerabilities=self._vulnerabilities(story),
                    channel=story.channel, referring_organisation=story.organisation, summary=self._summary(story),
                    created_at=_at(story.opened, 10, story.rng.randint(0, 59)),
                    updated_at=_at(story.closed or self.today, 17),
                )
            Case.objects.bulk_create([s.case for s in bulk], batch_size=500)
            for story in real:  # what the services did not set
                Case.objects.filter(pk=story.case.pk).update(
                    status=story.status, risk_level=self._risk(story), vulnerabilities=self._vulnerabilities(story))
                story.case.status = story.status
            self._members(bulk)
            for story in stories:
                self._case_parts(story)
            self._inbound(stories)
            self._flush()
        self._timeline()
        record(Action.CREATE, actor=None, username="seed_demo", object_type="protection.demo",
               object_id=self.today.isoformat(), changes={
                   "cases": [None, str(len(stories))], "referrals": [None, str(len(self.rows[Referral]))],
                   "consents": [None, str(len(self.rows[ConsentRecord]))],
                   "deliveries": [None, str(len(self.rows[ServiceDelivery]))],
                   "stays": [None, str(len(self.rows[CentreStay]))]})

    def _open_through_services(self, story: Story) -> None:
        """As a case worker would: register the person, open the case, record the written consent."""
        user = self.caseworker
        person = people_services.register(user, dict(story.fields), programme=CT)
        story.persons = [person]
        if story.document:
            people_services.add_document(user, person, story.document)
        story.case = casework.open_case(
            user, programme=CT, principal=person, owner=user, channel=story.channel,
            referring_organisation=story.organisation, summary=self._summary(story), opened_on=story.opened)
        consent_services.record_consent(
            user, person, purpose=Purpose.ASSISTANCE, data_categories=DataCategory.values, how_given=HowGiven.WRITTEN,
            given_on=story.opened)
        CaseEvent.objects.filter(case=story.case).update(at=self._opened_at(story))
        if story.start and story.start <= self.today:  # the workflow's guard finds the consent just recorded
            story.case = casework.transition(user, story.case, "start_assistance", version=story.case.version)
            CaseEvent.objects.filter(case=story.case, kind="status").update(at=_at(story.start, 12, 10))

    def _persons(self, stories: list[Story]) -> None:
        rows, owners = [], []
        for story in stories:
            for fields in [story.fields, *story.family]:
                data = {k: v for k, v in fields.items() if k != "role"}
                person = Person(**data, created_by=story.owner, created_at=_at(story.opened, 10),
                                updated_at=_at(story.opened, 10))
                person.given_name_latin = icao_latin(person.given_name)
                person.family_name_latin = icao_latin(person.family_name)
                person.patronymic_latin = icao_latin(person.patronymic)
                rows.append(person)
                owners.append(story)
                story.persons.append(person)
        Person.objects.bulk_create(rows, batch_size=500)
        ProgrammeRegistration.objects.bulk_create([
            ProgrammeRegistration(person=person, programme=CT, office=self.centre, registered_by=story.owner,
                                  registered_at=_at(story.opened, 10))
            for person, story in zip(rows, owners, strict=True)
        ], batch_size=500)
        NameKey.objects.bulk_create([key for person in rows for key in people_index.key_rows(person, ())],
                                    batch_size=2000)
        IdentityDocument.objects.bulk_create([
            IdentityDocument(person=story.persons[0], created_at=_at(story.opened, 10), **story.document)
            for story in stories if story.document], batch_size=500)

    def _members(self, stories: list[Story]) -> None:
        members, assigned = [], []
        through = Case.assigned.through
        for story in stories:
            members.append(CaseMember(case=story.case, person=story.persons[0], role=MemberRole.PRINCIPAL))
            for person, fields in zip(story.persons[1:], story.family, strict=True):
                members.append(CaseMember(case=story.case, person=person, role=fields["role"]))
            if story.rng.random() < 0.15:
                helper = story.rng.choice([w for w in [*self.workers, self.caseworker] if w != story.owner])
                assigned.append(through(case_id=story.case.pk, user_id=helper.pk))
        CaseMember.objects.bulk_create(members, batch_size=1000)
        through.objects.bulk_create(assigned, batch_size=1000)

    # --- Parts of one case -----------------------------------------------------------------------------
    def _add(self, row: models.Model) -> models.Model:
        self.rows[type(row)].append(row)
        return row

    def _event(self, story: Story, kind: str, at: datetime.datetime, summary: str, actor: User | None = None,
               obj: models.Model | None = None) -> None:
        self.events.append((story, kind, at, summary, actor or story.owner, obj))

    def _case_parts(self, story: Story) -> None:
        rng, case, owner = story.rng, story.case, story.owner
        opened_at = self._opened_at(story)
        if not story.real:
            how = str(dict(Channel.choices)[story.channel])
            if story.organisation is not None:
                how = f"{how}: {story.organisation.name}"
            self._event(story, "opened", opened_at, _("Case opened (%(how)s); owner %(owner)s.") % {
                "how": how, "owner": casework.display_name(owner)}, obj=case)
        self._consents(story)
        self._profile(story)
        status_at = opened_at
        if story.start and story.start <= self.today and not story.real:  # the service logged it for the others
            status_at = _at(story.start, 12, rng.randint(0, 59))
            self._status(story, status_at, htcds.CaseStatus.INTAKE, htcds.CaseStatus.ACTIVE)
        self._stays(story)
        self._services(story)
        self._movements(story)
        self._referrals(story)
        self._plan_and_notes(story)
        if story.status == htcds.CaseStatus.FOLLOW_UP or (story.closed and story.follow_end and not story.exit):
            self._status(story, _at(story.active_end, 16), htcds.CaseStatus.ACTIVE, htcds.CaseStatus.FOLLOW_UP)
        if story.status in (htcds.CaseStatus.CLOSED, htcds.CaseStatus.CLOSED_REFERRED):
            before = htcds.CaseStatus.INTAKE
            if story.follow_end and not story.exit:
                before = htcds.CaseStatus.FOLLOW_UP
            elif story.start and story.start < story.closed:
                before = htcds.CaseStatus.ACTIVE
            closed_at = _at(story.closed, 17, rng.randint(0, 30))
            self._status(story, closed_at, before, story.status)

    def _status(self, story: Story, at: datetime.datetime, before: str, after: str) -> None:
        """The line `cases.casework.transition` writes for the step from `before` to `after`."""
        step = next(t for t in CT_WORKFLOW.transitions if before in t.sources and t.target == after)
        line = _("Status changed from %(old)s to %(new)s (%(action)s).") % {
            "old": CT_WORKFLOW.label(before), "new": CT_WORKFLOW.label(after), "action": step.label}
        if story.closure and CT_WORKFLOW.is_closed(after):
            line += " " + _("Reason: %(reason)s.") % {"reason": CT_WORKFLOW.closure_label(story.closure)}
        self._event(story, "status", at, line)

    @staticmethod
    def _opened_at(story: Story) -> datetime.datetime:
        """When the case was opened that day (the first thing on its timeline)."""
        return _at(story.opened, 10, story.number % 30)

    def _risk(self, story: Story) -> str:
        if story.minor or A.PHYSICAL_THREATS in story.controls or A.THREATENS_FAMILY in story.controls:
            return RiskLevel.HIGH
        if story.status == htcds.CaseStatus.FOLLOW_UP or story.rng.random() < 0.15:
            return RiskLevel.LOW
        return RiskLevel.MEDIUM

    def _vulnerabilities(self, story: Story) -> list[str]:
        rng = random.Random(f"{SEED}-vulnerabilities-{story.number}")
        flags = []
        if story.minor:
            flags.append(Vulnerability.MINOR)
            if story.foreign:
                flags.append(Vulnerability.UNACCOMPANIED_MINOR)
        if story.document is None:
            flags.append(Vulnerability.NO_DOCUMENTS)
        if A.PHYSICAL_THREATS in story.controls or A.THREATENS_FAMILY in story.controls:
            flags.append(Vulnerability.SECURITY_RISK)
        if any(m["role"] == MemberRole.CHILD for m in story.family):
            flags.append(Vulnerability.SINGLE_PARENT)
        if story.sex == "F" and 18 <= story.age <= 40 and rng.random() < 0.04:
            flags.append(Vulnerability.PREGNANT)
        if rng.random() < 0.12:
            flags.append(Vulnerability.MENTAL_HEALTH)
        if rng.random() < 0.06:
            flags.append(Vulnerability.SERIOUS_ILLNESS)
        return flags

    def _summary(self, story: Story) -> str:
        scenario, rng = story.scenario, random.Random(f"{SEED}-summary-{story.number}")
        promise = rng.choice(scenario.promises)
        how = HOW_RECRUITED[story.recruitment[0]]
        months = max(1, (story.identified - story.exploited).days // 30)
        country = COUNTRY.get(story.nationality, (story.nationality, story.nationality, ""))
        where = story.place
        abroad = f", {COUNTRY[story.abroad][0]}" if story.abroad else ""
        she = story.sex == "F"
        if story.organisation is not None:
            came = (f"Referred by {story.organisation.name}.",
                    f"Направлен{'а' if she else ''}: {story.organisation.name}.")
        elif story.channel == Channel.HOTLINE:
            came = ("Called the hotline.", f"Обратил{'ась' if she else 'ся'} на горячую линию.")
        elif story.channel == Channel.SELF:
            came = (f"Came to the office on {'her' if she else 'his'} own.",
                    f"Обратил{'ась' if she else 'ся'} сам{'а' if she else ''}.")
        else:
            came = ("", "")
        documents = A.WITHHOLDS_DOCUMENTS in story.controls
        if story.language == "en":
            who = {("F", True): "Girl", ("M", True): "Boy", ("F", False): "Woman", ("M", False): "Man"}[
                (story.sex, story.minor)]
            text = (f"{who} from {country[0]}, {story.age}. Recruited {how[0]} with a promise of {promise[0]}; "
                    f"{scenario.what[0]} in {where[0]}{abroad} for {months} month{'s' if months > 1 else ''}.")
            if documents:
                text += " Passport taken by the employer."
            return f"{text} {came[0]}".strip()
        citizen = ("Гражданка" if she else "Гражданин") + f" {country[1]}"
        years = "год" if story.age % 10 == 1 and story.age % 100 != 11 else (
            "года" if story.age % 10 in (2, 3, 4) and story.age % 100 not in (12, 13, 14) else "лет")
        recruited = "Завербована" if she else "Завербован"
        what = scenario.what[1] if she else scenario.what[2]
        place = where[2] + (f" ({RU_COUNTRY[story.abroad]})" if story.abroad else "")
        text = (f"{citizen}, {story.age} {years}. {recruited} {how[1]}: обещали {promise[1]}; "
                f"{what} {place} в течение {months} мес.")
        if documents:
            text += " Паспорт отобран работодателем."
        return f"{text} {came[1]}".strip()

    def _consents(self, story: Story) -> None:
        rng, given = story.rng, story.opened
        if not story.real:
            how = HowGiven.GUARDIAN if story.minor else _weighted(rng, ((HowGiven.WRITTEN, 85), (HowGiven.ORAL, 15)))
            witness = ""
            if how == HowGiven.ORAL:
                witness = casework.display_name(rng.choice(self.workers))
            elif how == HowGiven.GUARDIAN:
                witness = ("Guardianship authority of the district" if story.foreign
                           else "Орган опеки и попечительства района")
            assistance = self._consent(story, Purpose.ASSISTANCE, given, DataCategory.values, how=how, witness=witness)
            if story.exit_reason == htcds.ClosureReason.DECLINED:
                assistance.withdrawn_at = _at(story.exit, 15)
                assistance.withdrawal_note = story.text(("Does not want further help.", "Не желает дальнейшей помощи."))
            self._event(story, "consent", _at(given, 10, 40), _("Consent recorded: %(purpose)s (%(how)s).") % {
                "purpose": str(Purpose.ASSISTANCE.label), "how": str(HowGiven(how).label).lower()},
                obj=assistance)
        if rng.random() < 0.85:
            self._consent(story, Purpose.STATISTICS, given, [DataCategory.IDENTITY, DataCategory.EXPLOITATION])
        if story.participation in (VictimParticipation.VICTIM_PARTY, VictimParticipation.WITNESS):
            self._consent(story, Purpose.LAW_ENFORCEMENT, given + datetime.timedelta(days=rng.randint(0, 10)),
                          [DataCategory.IDENTITY, DataCategory.CONTACTS, DataCategory.SITUATION,
                           DataCategory.EXPLOITATION],
                          recipient_type=OrganisationType.LAW_ENFORCEMENT)
        leaving = story.active_end and story.active_end <= self.today + datetime.timedelta(days=14)
        if story.foreign and story.start and leaving:
            self._consent(story, Purpose.RETURN_TRAVEL, story.start,
                          [DataCategory.IDENTITY, DataCategory.DOCUMENTS, DataCategory.HEALTH])

    def _consent(self, story: Story, purpose: str, given: datetime.date, categories, *, how: str = HowGiven.WRITTEN,
                 witness: str = "", organisation: Organisation | None = None, recipient_type: str = "",
                 expires: datetime.date | None = None) -> ConsentRecord:
        given = min(given, self.today)
        return self._add(ConsentRecord(
            person=story.persons[0], purpose=purpose, recipient_organisation=organisation,
            recipient_type=recipient_type, data_categories=list(categories), how_given=how, witness=witness,
            given_on=given, expires_on=expires, recorded_by=story.owner, recorded_at=_at(given, 10, 45)))

    def _profile(self, story: Story) -> None:
        rng = story.rng
        scenario = story.scenario
        status = htcds.TraffickingStatus.ACTUAL
        decided = {Channel.LAW_ENFORCEMENT: htcds.StatusDecidedBy.POLICE,
                   Channel.JOINT_OPERATION: htcds.StatusDecidedBy.POLICE,
                   Channel.NGO: htcds.StatusDecidedBy.NGO, Channel.STATE_STRUCTURE: htcds.StatusDecidedBy.GOVERNMENT
                   }.get(story.channel, htcds.StatusDecidedBy.OTHER)
        if story.proceedings == ProceedingsStatus.CONVICTED:
            decided = htcds.StatusDecidedBy.COURT
        if story.status == htcds.CaseStatus.INTAKE or (story.status == htcds.CaseStatus.ACTIVE and rng.random() < 0.15):
            status = htcds.TraffickingStatus.POSSIBLE
        if story.exit_reason == htcds.ClosureReason.NOT_A_VICTIM:
            status = htcds.TraffickingStatus.NOT_A_VICTIM
        plan = ""
        if story.grant:
            plan = story.text(rng.choice(PLANS))
        recruited_age = story.age - max(0, (story.opened - story.recruited).days // 365)
        profile = self._add(TraffickingProfile(
            case=story.case, trafficking_status=status, status_decided_by=decided,
            relationship_to_trafficker=story.relationship, age_when_trafficked=max(recruited_age, 10),
            recruitment_methods=story.recruitment, control_methods=story.controls,
            exploitation_types=list(scenario.types), forced_labour_industry=scenario.industry,
            sexual_exploitation_type=scenario.sexual,
            identified_where=IdentifiedWhere.ABROAD if story.abroad else IdentifiedWhere.RUSSIA,
            repatriation_needed=bool(story.abroad) or story.foreign, proceedings=story.proceedings,
            participation=story.participation, reintegration_plan=plan,
            reintegration_grant=Decimal(story.grant) if story.grant else None, updated_by=story.owner,
            updated_at=_at(story.opened, 13)))
        home = story.home
        country = story.nationality
        self._add(TraffickingEvent(profile=profile, event_type=htcds.EventType.RECRUITMENT, country=country,
                                   place=home[0] if story.language == "en" else home[1], started_on=story.recruited,
                                   ended_on=story.recruited))
        where = story.abroad or "RU"
        if where != country or rng.random() < 0.2:
            transit = {"UZ": "KZ", "TJ": "KZ", "KG": "KZ", "NG": "TR", "GH": "TR", "VN": "CN"}.get(country)
            if story.abroad and story.abroad not in ("TR", "TH", "EG", "KR", "AE"):
                transit = "TR"
            if transit and transit != where:
                day = story.recruited + datetime.timedelta(days=max(1, (story.exploited - story.recruited).days // 2))
                self._add(TraffickingEvent(profile=profile, event_type=htcds.EventType.TRANSIT, country=transit,
                                           place="", started_on=day,
                                           ended_on=day + datetime.timedelta(days=rng.randint(1, 4))))
        self._add(TraffickingEvent(profile=profile, event_type=htcds.EventType.EXPLOITATION, country=where,
                                   place=story.place[0] if story.language == "en" else story.place[1],
                                   started_on=story.exploited, ended_on=story.identified))
        self._event(story, "profile", _at(story.opened, 13, rng.randint(0, 59)), _("Trafficking profile recorded."),
                    obj=profile)

    def _delivery(self, story: Story, code: str, day: datetime.date, *, cost: int | None = None,
                  status: str = DeliveryStatus.DELIVERED, partner: Organisation | None = None, outcome: str = "",
                  referral: Referral | None = None, person: Person | None = None,
                  event: bool = True) -> ServiceDelivery:
        kind = self.service_types[code]
        delivery = self._add(ServiceDelivery(
            case=story.case, person=person or story.persons[0], service_type=kind, status=status, delivered_on=day,
            delivered_by=None if partner else story.owner, partner=partner,
            cost=Decimal(cost) if cost is not None else None, currency="RUB", outcome=outcome, referral=referral,
            recorded_by=story.owner, recorded_at=_at(min(day, self.today), 16, story.rng.randint(0, 59))))
        if event and status == DeliveryStatus.DELIVERED:
            self._event(story, "service", _at(day, 15, story.rng.randint(0, 59)), _("Service delivered: %(service)s.")
                        % {"service": kind.name_en}, obj=delivery)
        elif event and status == DeliveryStatus.PLANNED:
            self._event(story, "service", _at(min(day, self.today), 11), _("Service planned: %(service)s on %(date)s.")
                        % {"service": kind.name_en, "date": day.isoformat()}, obj=delivery)
        return delivery

    def _stays(self, story: Story) -> None:
        for stay in story.stays:
            room = self.rooms[stay.room][0]
            person = story.persons[stay.person]
            left = stay.end if stay.end <= self.today else None
            nights = (left - stay.start).days if left else None
            delivery = self._delivery(story, "accommodation", stay.start, person=person,
                                      cost=nights * COSTS["accommodation"][0] if nights else None, event=False)
            centre_stay = self._add(CentreStay(case=story.case, person=person, room=room, bed=stay.bed,
                                               checked_in_on=stay.start, checked_out_on=left, delivery=delivery,
                                               recorded_by=story.owner))
            self._event(story, "stay", _at(stay.start, 14, stay.person), _("Checked in to room %(room)s, bed %(bed)d.")
                        % {"room": room.name, "bed": stay.bed}, obj=centre_stay)
            if left:
                self._event(story, "stay", _at(left, 9, stay.person), _("Checked out of room %(room)s after %(nights)d "
                            "nights.") % {"room": room.name, "nights": nights}, obj=centre_stay)

    def _services(self, story: Story) -> None:
        rng, start = story.rng, story.start
        if not start or start > self.today:
            return
        end = min(story.exit or story.active_end or self.today, self.today)

        def day(low: int, high: int) -> datetime.date | None:
            value = start + datetime.timedelta(days=rng.randint(low, high))
            return value if value <= end else None

        def pick(code: str) -> str:
            return story.text(rng.choice(OUTCOMES[code])) if code in OUTCOMES else ""

        medical_partner = self.organisations.get("Moscow City Centre for TB Control")
        for _n in range(_weighted(rng, ((0, 15), (1, 40), (2, 30), (3, 15)))):
            when = day(0, 20)
            if when:
                partner = medical_partner if story.foreign and rng.random() < 0.15 else None
                self._delivery(story, "medical", when, cost=None if partner else rng.randrange(*COSTS["medical"], 500),
                               partner=partner, outcome=pick("medical"))
        if rng.random() < 0.75:
            for session in range(rng.randint(2, 6)):
                when = day(2 + 6 * session, 6 + 6 * session)
                if when:
                    self._delivery(story, "psychological", when, cost=COSTS["psychological"][0],
                                   outcome=pick("psychological"), event=session == 0)
        when = day(0, 3)
        if when:
            self._delivery(story, "social_counselling", when, outcome=pick("social_counselling"))
        if story.proceedings != ProceedingsStatus.NONE or rng.random() < 0.3:
            when = day(3, 25)
            if when:
                fee = rng.choice((None, rng.randrange(*COSTS["legal_counselling"], 500)))
                self._delivery(story, "legal_counselling", when, cost=fee, outcome=pick("legal_counselling"))
        if not story.exit and rng.random() < 0.3:
            when = day(10, 40)
            if when:
                self._delivery(story, "reintegration_training", when,
                               cost=rng.randrange(*COSTS["reintegration_training"], 1000),
                               outcome=pick("reintegration_training"))
        if story.grant and story.active_end:
            when = story.active_end + datetime.timedelta(days=rng.randint(0, 30))
            status = DeliveryStatus.DELIVERED if when <= self.today else DeliveryStatus.PLANNED
            if story.closed and when > story.closed:
                when, status = story.closed, DeliveryStatus.DELIVERED
            self._delivery(story, "reintegration_grant", when, cost=story.grant, status=status,
                           outcome=story.text(("Paid in two instalments.", "Выплачен двумя траншами.")))

    def _movement(self, story: Story, kind: str, code: str, departs: datetime.datetime, hours: float, origin: str,
                  origin_country: str, destination: str, destination_country: str, carrier: str, cost: int | None,
                  escort: str = EscortKind.NONE) -> None:
        rng = story.rng
        arrives = departs + datetime.timedelta(hours=hours)
        done = arrives <= timezone.now()
        status = MovementStatus.COMPLETED
        if not done:
            status = MovementStatus.BOOKED if rng.random() < 0.7 else MovementStatus.PLANNED
        delivery = self._delivery(story, code, timezone.localdate(departs), cost=cost,
                                  status=DeliveryStatus.DELIVERED if done else DeliveryStatus.PLANNED, event=False)
        tickets = f"555-{rng.randint(2_400_000_000, 2_499_999_999)}" if status != MovementStatus.PLANNED else ""
        movement = self._add(Movement(
            case=story.case, kind=kind, status=status, origin=origin, origin_country=origin_country,
            destination=destination, destination_country=destination_country, departs_at=departs, arrives_at=arrives,
            carrier=carrier, ticket_numbers=tickets, escort=escort,
            escort_user=story.owner if escort == EscortKind.ESCORT else None,
            escort_name="Dr Irina Lebedeva (medical escort)" if escort == EscortKind.MEDICAL else "",
            cost=Decimal(cost) if cost is not None else None, currency="RUB", delivery=delivery,
            recorded_by=story.owner, recorded_at=_at(min(timezone.localdate(departs), self.today), 11)))
        self.rows["travellers"].append((movement, story.persons))
        label = str(MovementKind(kind).label)
        when = departs if done else _at(min(timezone.localdate(departs), self.today), 11, 30)
        line = _("%(kind)s: %(origin)s → %(destination)s.") if done else _(
            "%(kind)s booked: %(origin)s → %(destination)s on %(date)s.")
        self._event(story, "movement", arrives if done and kind == MovementKind.AIRPORT_RECEPTION else when, line % {
            "kind": label, "origin": origin, "destination": destination,
            "date": timezone.localdate(departs).isoformat()},
            obj=movement)
        if escort == EscortKind.MEDICAL:
            self._delivery(story, "medical_escort", timezone.localdate(departs),
                           cost=rng.randrange(*COSTS["medical_escort"], 1000),
                           status=DeliveryStatus.DELIVERED if done else DeliveryStatus.PLANNED)

    def _movements(self, story: Story) -> None:
        rng = story.rng
        if story.abroad:  # found abroad: met at the airport the day the case opened
            origin, carrier = rng.choice(FLIGHTS_BACK[story.abroad])
            hours = 4 if story.abroad in ("TR", "EG", "AE") else 9
            arrives = _at(story.opened, rng.randint(5, 8), rng.choice((5, 20, 35, 50)))  # met, then to the centre
            self._movement(story, MovementKind.AIRPORT_RECEPTION, "airport_reception",
                           arrives - datetime.timedelta(hours=hours), hours, origin, story.abroad, rng.choice(AIRPORTS),
                           "RU", carrier, rng.randrange(*COSTS["airport_reception"], 500))
        if not story.returns_home or story.exit or not story.active_end:
            return
        leave = story.active_end - datetime.timedelta(days=story.travel_days)
        if leave > self.today + datetime.timedelta(days=14):
            return
        escort = EscortKind.MEDICAL if rng.random() < 0.06 else EscortKind.ESCORT if story.minor else EscortKind.NONE
        if story.foreign:
            destination, carrier = rng.choice(FLIGHTS_HOME.get(story.nationality, FLIGHTS_HOME["UZ"]))
            self._movement(story, MovementKind.INTERNATIONAL, "return_transport", _at(leave, rng.randint(7, 22), 15),
                           rng.choice((3.5, 4, 5, 8)), rng.choice(AIRPORTS), "RU", destination, story.nationality,
                           carrier, rng.randrange(*COSTS["return_transport"], 500), escort)
        else:
            city = story.home[0]
            if city in FLY_HOME:
                carrier = rng.choice(("Aeroflot SU", "S7 Airlines S7", "Pobeda DP", "Ural Airlines U6"))
                origin, hours = rng.choice(AIRPORTS), rng.choice((2, 3, 4.5, 6))
                carrier = f"{carrier} {rng.randint(1000, 1999)}"
            else:
                carrier = f"RZD train {rng.randint(1, 199):03d}{rng.choice('АМЧСЯ')}"
                origin = rng.choice(("Moscow, Kazansky station", "Moscow, Leningradsky station",
                                     "Moscow, Yaroslavsky station", "Moscow, Kursky station"))
                hours = rng.randint(4, 26)
            self._movement(story, MovementKind.DOMESTIC, "domestic_transport", _at(leave, rng.randint(8, 22), 40),
                           hours, origin, "RU", city, "RU", carrier, rng.randrange(*COSTS["domestic_transport"], 100),
                           escort)

    def _referrals(self, story: Story) -> None:
        if not story.referrals:
            return
        rng = story.rng
        principal = story.persons[0]
        for plan in story.referrals:
            created = plan.sent or max(story.start, self.today - datetime.timedelta(days=rng.randint(0, 3)))
            categories = plan.target.categories if plan.target else (I_, DOC, S_)
            expires = created + datetime.timedelta(days=180) if rng.random() < 0.15 and not plan.forced else None
            guardian = story.text(("Guardianship authority", "Орган опеки")) if story.minor else ""
            consent = self._consent(story, Purpose.REFERRAL, created, categories, organisation=plan.organisation,
                                    expires=expires, how=HowGiven.GUARDIAN if story.minor else HowGiven.WRITTEN,
                                    witness=guardian)
            if plan.consent_withdrawn:
                consent.withdrawn_at = _at(plan.consent_withdrawn, 12)
                consent.withdrawal_note = story.text(("Does not want her data shared any more.",
                                                      "Не хочет, чтобы её данные передавались."))
            waypoint = plan.organisation == self.angel
            sent_at = _at(plan.sent, rng.randint(9, 17), rng.randint(0, 59)) if plan.sent else None
            method = DeliveryMethod.WAYPOINT if waypoint else _weighted(
                rng, ((DeliveryMethod.EMAIL, 6), (DeliveryMethod.BY_HAND, 2), (DeliveryMethod.FAX, 1),
                      (DeliveryMethod.POST, 1)))
            delivered = None
            if sent_at:
                delivered = sent_at if waypoint else sent_at + datetime.timedelta(
                    hours=rng.randint(1, 4) if method != DeliveryMethod.POST else 24 * rng.randint(2, 4))
            answered = _at(plan.answered, rng.randint(9, 18), rng.randint(0, 59)) if plan.answered else None
            ended = _at(plan.ended, rng.randint(10, 18), rng.randint(0, 59)) if plan.ended else None
            if answered and sent_at and answered <= sent_at:
                answered = sent_at + datetime.timedelta(hours=rng.randint(1, 5))
            if ended and (answered or sent_at) and ended <= (answered or sent_at):
                ended = (answered or sent_at) + datetime.timedelta(hours=rng.randint(1, 5))
            referral = self._add(Referral(
                kind=ReferralKind.PERSON, direction=ReferralDirection.OUTBOUND, organisation=plan.organisation,
                service=plan.service, person=principal, case=story.case, consent=consent, programme=CT,
                office=self.centre, status=plan.status,
                reason=story.text(plan.target.reason if plan.target else EMBASSY_REASON),
                shared=dumps(self._shared(story, categories, plan.sent or created)),
                due_on=working_days_after(plan.sent, 5) if plan.sent else None, delivery_method=method,
                delivered_at=delivered, sent_at=sent_at,
                responded_at=answered if plan.status not in (ReferralStatus.SENT, ReferralStatus.CANCELLED) else None,
                completed_at=ended if plan.status == ReferralStatus.COMPLETED else None,
                decline_reason=story.text(plan.note) if plan.status == ReferralStatus.DECLINED else "",
                feedback=story.text(plan.note) if plan.status == ReferralStatus.COMPLETED else "",
                created_by=story.owner, created_at=sent_at or _at(created, 12)))
            referral.year = created.year
            answerer = self.partner if waypoint else story.owner
            steps = [(ReferralStatus.SENT if plan.sent else ReferralStatus.DRAFT, sent_at or _at(created, 12),
                      story.owner, "")]
            if plan.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED):
                steps.append((ReferralStatus.ACCEPTED, answered, answerer, ""))
            if plan.progress and plan.status in (ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED):
                progressed = max(_at(plan.progress, 12), answered + datetime.timedelta(hours=1))
                steps.append((ReferralStatus.IN_PROGRESS, progressed, answerer, story.text(rng.choice(PROGRESS))))
            if plan.status == ReferralStatus.COMPLETED:
                steps.append((ReferralStatus.COMPLETED, max(ended, steps[-1][1] + datetime.timedelta(hours=1)),
                              answerer, story.text(plan.note)))
            if plan.status == ReferralStatus.DECLINED:
                steps.append((ReferralStatus.DECLINED, answered, answerer, story.text(plan.note)))
            if plan.status == ReferralStatus.CANCELLED:
                steps.append((ReferralStatus.CANCELLED, ended, story.owner, story.text(plan.note)))
            if plan.status == ReferralStatus.COMPLETED:
                referral.completed_at = steps[-1][1]
                referral.feedback = steps[-1][3]
            for status, at, by, note in steps:
                self._add(ReferralUpdate(referral=referral, status=status, note=note, by=by, at=at))
                if status == ReferralStatus.DRAFT:
                    line = _("Referral %(reference)s to %(organisation)s saved as a draft.")
                elif status == ReferralStatus.SENT:
                    line = _("Referral %(reference)s sent to %(organisation)s.")
                else:
                    line = _("Referral %(reference)s to %(organisation)s: %(status)s.")
                self._event(story, "referral", at, line, actor=by,
                            obj=(referral, plan.organisation.name, str(ReferralStatus(status).label).lower()))
            # What the partner did, on the case's list of services: an NGO's follow-up, a clinic's care.
            code = {OrganisationType.NGO: "ngo_referral", OrganisationType.HEALTH: "medical"}.get(
                plan.organisation.organisation_type)
            if plan.status == ReferralStatus.COMPLETED and code:
                self._delivery(story, code, timezone.localdate(referral.completed_at),
                               partner=plan.organisation, outcome=referral.feedback, referral=referral)

    def _shared(self, story: Story, categories: Sequence[str], on: datetime.date) -> dict[str, str]:
        """What the referral carried: the anonymous description and the fields of the consented categories."""
        person = story.persons[0]
        age = on.year - person.birth_date.year - ((on.month, on.day) < (person.birth_date.month, person.birth_date.day))
        shared = {"caller_sex": person.sex, "caller_age_band": _age_band(age),
                  "caller_nationality": story.nationality, "caller_language": (person.languages or [""])[0]}
        if DataCategory.IDENTITY in categories:
            shared |= {"name": " ".join(p for p in (person.family_name, person.given_name, person.patronymic) if p),
                       "sex": person.sex, "birth_date": person.birth_date.isoformat()
                       if person.birth_date_precision == "exact" else str(person.birth_date.year),
                       "citizenship": story.nationality}
        if DataCategory.CONTACTS in categories and person.phone:
            shared["phone"] = person.phone
        if DataCategory.DOCUMENTS in categories and story.document:
            shared["documents"] = f"{story.document['document_type'].replace('_', ' ')} {story.document['number']}"
        if DataCategory.SITUATION in categories:
            shared["situation"] = story.text((
                "In the rehabilitation centre; needs continued support after leaving.",
                "Находится в реабилитационном центре; нуждается в поддержке после выхода."))
        if DataCategory.EXPLOITATION in categories:
            shared["exploitation"] = self._summary(story).split(". ", 1)[-1]
        if DataCategory.HEALTH in categories:
            shared["health"] = story.text(("No acute conditions; tired, underweight.",
                                           "Острых заболеваний нет; истощение."))
        return {k: v for k, v in shared.items() if v}

    def _plan_and_notes(self, story: Story) -> None:
        rng, start, owner = story.rng, story.start, story.owner
        if not start or start > self.today:
            self._add(CaseNote(case=story.case, text=story.text(NOTES["intake"][1]), author=owner,
                               written_at=_at(story.opened, 12, rng.randint(0, 59))))
            self._event(story, "note", _at(story.opened, 12, 59), _("Note added."))
            return
        closed = story.closed
        types = [htcds.SupportPlanType.HEALTH, htcds.SupportPlanType.SOCIAL_CARE, story.scenario.rehabilitation]
        if story.participation != VictimParticipation.NONE or not story.document:
            types.append(htcds.SupportPlanType.LEGAL)
        if story.grant:
            types.append(htcds.SupportPlanType.LIVELIHOOD)
        if story.minor:
            types.append(htcds.SupportPlanType.EDUCATION)
        types = list(dict.fromkeys(types))[: rng.randint(2, 4)]
        caseworker_open = story.owner == self.caseworker and not closed
        for number, plan_type in enumerate(types):
            target = start + datetime.timedelta(days=rng.randint(20, 120))
            achieved = None
            status = GoalStatus.OPEN
            if closed:
                status = GoalStatus.ACHIEVED if rng.random() < 0.85 else GoalStatus.DROPPED
                achieved = min(closed, target) if status == GoalStatus.ACHIEVED else None
            elif target < self.today and rng.random() < 0.7:
                status, achieved = GoalStatus.ACHIEVED, target
            goal = self._add(Goal(case=story.case, title=story.text(GOALS[plan_type]), plan_type=plan_type,
                                  status=status, target_on=target, achieved_on=achieved, created_by=owner,
                                  created_at=_at(start, 14, number)))
            if number == 0:
                self._event(story, "plan", _at(start, 14, 30), _("Case plan drawn up: %(count)d goals.")
                            % {"count": len(types)}, obj=goal)
            going = "return" if story.foreign else "home" if story.returns_home else "psych"
            kinds = {htcds.SupportPlanType.HEALTH: "medical", htcds.SupportPlanType.LEGAL: "documents" if (
                story.foreign and not story.document) else "legal", htcds.SupportPlanType.LIVELIHOOD: "grant",
                htcds.SupportPlanType.SOCIAL_CARE: going}.get(plan_type, "psych")
            for title in TASKS[kinds][: rng.randint(1, 2)]:
                due = start + datetime.timedelta(days=rng.randint(3, 60))
                done = None
                if closed:
                    done = _at(min(due, closed), 15, rng.randint(0, 59))
                elif due <= self.today:
                    overdue = caseworker_open and rng.random() < 0.12
                    done = None if overdue else _at(due, 15, rng.randint(0, 59))
                    if due < self.today - datetime.timedelta(days=45) and overdue:
                        due = self.today - datetime.timedelta(days=rng.randint(1, 12))
                self._add(Task(case=story.case, goal=goal, title=story.text(title), due_on=due, assigned_to=owner,
                               done_at=done, done_by=owner if done else None, created_by=owner,
                               created_at=_at(start, 14, 40 + number)))
        if story.follow_end and story.active_end and story.active_end <= self.today:
            for title in TASKS["follow"]:
                due = story.active_end + datetime.timedelta(days=rng.randint(20, 90))
                done = _at(due, 11) if due <= (closed or self.today) and (closed or rng.random() < 0.8) else None
                if closed and due > closed:
                    due, done = closed, _at(closed, 11)
                self._add(Task(case=story.case, title=story.text(title), due_on=due, assigned_to=owner, done_at=done,
                               done_by=owner if done else None, created_by=owner,
                               created_at=_at(story.active_end, 16, 30)))
        notes = [("intake", story.opened)]
        if story.active_end:
            notes.append(("active", min(self.today, start + datetime.timedelta(days=rng.randint(5, 30)))))
        if story.follow_end and story.active_end and story.active_end < self.today:
            notes.append(("follow", min(self.today, story.active_end + datetime.timedelta(days=rng.randint(20, 60)))))
        for phase, day in notes:
            if closed and day > closed:
                continue
            note = self._add(CaseNote(case=story.case, text=story.text(rng.choice(NOTES[phase])), author=owner,
                                      written_at=_at(day, 17, rng.randint(0, 59))))
            self._event(story, "note", note.written_at, _("Note added."), obj=note)

    # --- Inbound referrals from the demo partner ------------------------------------------------------
    def _inbound(self, stories: list[Story]) -> None:
        """Referrals the demo partner sent to the office through Waypoint: some opened cases, one was declined,
        one waits for the office's answer."""
        office = Office.objects.filter(kind=Office.Kind.MISSION_OFFICE, parent__isnull=True).order_by("name").first()
        office = office or self.centre
        today = self.today
        for story in (s for s in stories if s.inbound):
            person = story.persons[0]
            sent = story.opened - datetime.timedelta(days=story.rng.randint(1, 3))
            shared = self._inbound_shared(person.family_name, person.given_name, person.patronymic, person.sex,
                                          person.birth_date, story.nationality, person.phone,
                                          story.text(("Left the traffickers and came to our hotline; needs safe "
                                                      "accommodation and medical care.",
                                                      "Ушла от эксплуататоров и обратилась на нашу горячую линию; "
                                                      "нужны безопасное жильё и медицинская помощь.")))
            referral = self._inbound_referral(office, sent, shared, ReferralStatus.ACCEPTED,
                                              answered=self._opened_at(story), case=story.case, person=person,
                                              answerer=story.owner)
            story.case.referral_received = referral
            self.rows["inbound_cases"].append(story.case)
            self._consent(story, Purpose.REFERRAL, sent, [I_, C_, S_], organisation=self.angel)
            line = _("Referral %(reference)s from %(organisation)s accepted: case opened.")
            self._event(story, "referral", self._opened_at(story) + datetime.timedelta(seconds=30), line,
                        actor=story.owner, obj=(referral, self.angel.name, str(ReferralStatus.ACCEPTED.label).lower()))
        waiting = _back_to_workday(today - datetime.timedelta(days=1))  # urgent: the answer is due today or so
        self._inbound_referral(office, waiting, self._inbound_shared(
            "Турсунова", "Гулнора", "Рашидовна", "F", D(today.year - 27, 4, 11), "UZ", "+7 926 418-27-90",
            "Работала в швейном цеху в Люберцах, паспорт у хозяина; сбежала вчера, ночует у знакомой. "
            "Нужны безопасное жильё и помощь с возвращением домой.", urgency="urgent"), ReferralStatus.SENT)
        declined = _workday(today - datetime.timedelta(days=75))
        self._inbound_referral(office, declined, self._inbound_shared(
            "Ахмедова", "Шахноза", "", "F", D(today.year - 34, 9, 2), "TJ", "",
            "Просит помочь вернуть долг работодателя за три месяца."), ReferralStatus.DECLINED,
            answered=_at(working_days_after(declined, 2), 11), answerer=self.manager,
            note="Not a trafficking situation: a labour dispute. We referred her to the Civic Assistance Committee "
                 "for legal help.")

    @staticmethod
    def _inbound_shared(family: str, given: str, patronymic: str, sex: str, born: datetime.date, country: str,
                        phone: str, situation: str, urgency: str = "normal") -> dict[str, str]:
        shared = {"family_name": family, "given_name": given, "patronymic": patronymic,
                  "name": " ".join(p for p in (family, given, patronymic) if p), "sex": sex,
                  "birth_date": born.isoformat(), "citizenship": country, "language": "ru", "phone": phone,
                  "situation": situation, "urgency": urgency}
        return {k: v for k, v in shared.items() if v}

    def _inbound_referral(self, office: Office, sent: datetime.date, shared: dict[str, str], status: str, *,
                          answered: datetime.datetime | None = None, case: Case | None = None,
                          person: Person | None = None, answerer: User | None = None, note: str = "") -> Referral:
        sent_at = _at(sent, 11, 20)
        if answered and answered <= sent_at:
            answered = sent_at + datetime.timedelta(hours=3)
        referral = self._add(Referral(
            kind=ReferralKind.PERSON, direction=ReferralDirection.INBOUND, organisation=self.angel, person=person,
            case=case, programme=CT, office=office, status=status, reason=shared["situation"], shared=dumps(shared),
            due_on=working_days_after(sent, 1 if shared.get("urgency") == "urgent" else 5), channel=Channel.NGO,
            delivery_method=DeliveryMethod.WAYPOINT, delivered_at=sent_at, sent_at=sent_at, responded_at=answered,
            decline_reason=note if status == ReferralStatus.DECLINED else "", created_by=self.partner,
            created_at=sent_at))
        referral.year = sent.year
        self._add(ReferralUpdate(referral=referral, status=ReferralStatus.SENT, by=self.partner, at=sent_at))
        if answered:
            self._add(ReferralUpdate(referral=referral, status=status, by=answerer, at=answered, note=note))
        return referral

    # --- Saving ------------------------------------------------------------------------------------------
    def _flush(self) -> None:
        referrals = sorted(self.rows[Referral], key=lambda r: (r.created_at, r.case_id or 0))
        for year in sorted({r.year for r in referrals}):
            of_year = [r for r in referrals if r.year == year]
            for referral, reference in zip(of_year, _allocate(REFERRAL_PREFIX, year, len(of_year)), strict=True):
                referral.reference = reference
        order = (ConsentRecord, TraffickingProfile, TraffickingEvent, Referral, ReferralUpdate, ServiceDelivery,
                 CentreStay, Movement, Goal, Task, CaseNote)
        for model in order:  # each after the rows it points to
            _insert(model, self.rows[model])
        through = Movement.travellers.through
        through.objects.bulk_create([through(movement_id=m.pk, person_id=p.pk) for m, people in self.rows["travellers"]
                                     for p in people], batch_size=1000)
        for case in self.rows["inbound_cases"]:
            Case.objects.filter(pk=case.pk).update(referral_received=case.referral_received)

    def _timeline(self) -> None:
        writer, rows = BulkWriter(CaseEvent), []
        for story, kind, at, summary, actor, obj in self.events:
            if isinstance(obj, tuple):  # a referral line, written once the reference is known
                referral, organisation, status = obj
                summary = summary % {"reference": referral.reference, "organisation": organisation, "status": status}
                obj = referral
            rows.append(writer.build({
                "case_id": story.case.pk, "kind": kind, "summary": summary, "actor_id": actor.pk if actor else None,
                "at": at, "object_type": obj._meta.label_lower if obj is not None else "",
                "object_id": str(obj.pk) if obj is not None else ""}))
        writer.insert(rows)

    def _report(self, stories: list[Story]) -> None:
        cases = Case.objects.filter(programme=CT)
        total = cases.count()
        by_channel = Counter(cases.values_list("channel", flat=True))
        shares = ", ".join(f"{dict(Channel.choices)[c]} {100 * by_channel[c] / total:.1f}%"
                           for c, _share in SOURCES if by_channel[c])
        open_ = cases.exclude(status__in=(htcds.CaseStatus.CLOSED, htcds.CaseStatus.CLOSED_REFERRED))
        beds = sum(room.beds for room, _kind in self.rooms.values())
        guests = CentreStay.objects.filter(room__office=self.centre, checked_out_on__isnull=True).count()
        mine = open_.filter(owner=self.caseworker).count()
        self.stdout.write(
            f"Counter-trafficking: {len(stories)} cases since {self.start:%B %Y} ({total} in all; "
            f"{open_.count()} open, {mine} of them owned by {CASEWORKER}); sources: {shares}.")
        self.stdout.write(
            f"  {len(self.rows[Referral])} referrals, {len(self.rows[ConsentRecord])} consents, "
            f"{len(self.rows[ServiceDelivery])} services delivered or planned, {len(self.rows[Movement])} movements; "
            f"centre: {len(self.rooms)} rooms, {guests} of {beds} beds taken today.")
        self.stdout.write("  Counter-trafficking case workers (demo password as above): "
                          + ", ".join(f"{u.username} ({u.get_full_name()})" for u in self.workers))
