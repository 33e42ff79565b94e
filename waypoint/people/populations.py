# ruff: noqa: RUF001, RUF003
"""The office's client populations: their names as written in their own script, and how documents spell them.

Shared by the demo and benchmark data generator (``people.generator``) and the matcher's labelled set
(``bench/name_pairs.py``), so that both draw from one copy.  Name lists cover Russian, Ukrainian, Tajik,
Uzbek, Kyrgyz, Kazakh, Georgian, Armenian and Azerbaijani names as written in Russian documents, and
Afghan, Nigerian, Ghanaian, Ethiopian and Congolese names as written in Latin passports.  A *renderer*
writes a name part the way a document of one scheme would: Cyrillic, or one of the Latin schemes of
passports of different years (MVD 1997 rules, the 2010 order with TC, ICAO Doc 9303 since 2013),
BGN/PCGN, GOST 7.79, French and German spellings, Ukrainian and Uzbek national Latin, informal spellings.
The renderers are deliberately independent of the matcher's own transliteration code, so that the
benchmarks do not test the matcher against itself.

This module is data and pure functions; it never touches the database.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import iuliia


def words(text: str) -> tuple[str, ...]:
    """Space-separated name list (kept as text: one glance shows the whole list)."""
    return tuple(text.split())


# --------------------------------------------------------------------------------------------------
# Name lists.  Cyrillic lists use the spelling of the culture's own Cyrillic (Ukrainian і/ї/є/ґ, Tajik
# ҷ/қ/ҳ/ғ/ӯ/ӣ, Uzbek ў/қ/ғ/ҳ, Kazakh ә/ғ/қ/ң/ө/ұ/ү/і); Latin lists are as in the passports.

RU_M = words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Валентин Валерий Василий Виктор Виталий Владимир "
    "Вячеслав Геннадий Георгий Григорий Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл Константин "
    "Леонид Максим Михаил Никита Николай Олег Павел Пётр Роман Руслан Сергей Станислав Степан Тимофей "
    "Фёдор Юрий Ярослав Семён Матвей Даниил Арсений Анатолий Эдуард Глеб"
)
RU_F = words(
    "Александра Алина Алла Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья Евгения Екатерина "
    "Елена Елизавета Жанна Зинаида Ирина Кристина Ксения Лариса Любовь Людмила Маргарита Марина Мария "
    "Наталья Надежда Нина Оксана Ольга Полина Светлана София Татьяна Юлия Яна Ульяна Алёна Таисия Эльвира"
)
RU_FAMILY = words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров "
    "Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев "
    "Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов "
    "Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков "
    "Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов "
    "Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев "
    "Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев "
    "Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров "
    "Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев "
    "Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев "
    "Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Воронов Аксёнов "
    "Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Плотников Дёмин Хохлов Жданов "
    "Троицкий Вишневский Покровский Дьячков Подъячев Хабибуллин Шарапов Шубин Царёв Цыганов Щукин "
    "Якушев Ёлкин Чистяков Яшин Блинов Ковальский Черкасов Зуев Юсупов"
)
RU_PATRONYMIC = tuple(
    pair.split("/")
    for pair in words(
        "Александрович/Александровна Алексеевич/Алексеевна Андреевич/Андреевна Борисович/Борисовна "
        "Викторович/Викторовна Владимирович/Владимировна Васильевич/Васильевна Геннадьевич/Геннадьевна "
        "Григорьевич/Григорьевна Дмитриевич/Дмитриевна Евгеньевич/Евгеньевна Иванович/Ивановна "
        "Игоревич/Игоревна Ильич/Ильинична Михайлович/Михайловна Николаевич/Николаевна Олегович/Олеговна "
        "Павлович/Павловна Петрович/Петровна Романович/Романовна Сергеевич/Сергеевна Юрьевич/Юрьевна "
        "Фёдорович/Фёдоровна Анатольевич/Анатольевна Валерьевич/Валерьевна Константинович/Константиновна "
        "Леонидович/Леонидовна Степанович/Степановна Яковлевич/Яковлевна Максимович/Максимовна"
    )
)

UA_M = words(
    "Олександр Андрій Богдан Василь Віктор Володимир Дмитро Євген Іван Ігор Микола Михайло Олег Олексій "
    "Павло Петро Роман Сергій Тарас Юрій Ярослав Степан Григорій Остап Назар Тимофій Федір Кирило Максим"
)
UA_F = words(
    "Олена Оксана Ірина Наталія Тетяна Юлія Ганна Олександра Людмила Світлана Галина Марія Катерина Ольга "
    "Вікторія Надія Лариса Христина Соломія Богдана Дарина Віра Зоряна Ярослава Любов"
)
UA_FAMILY = words(
    "Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Поліщук Бондар Ткачук Мельник "
    "Марченко Лисенко Руденко Савченко Петренко Кравчук Мороз Левченко Гончаренко Павленко Сидоренко "
    "Ковальчук Карпенко Литвиненко Дорошенко Гуменюк Яковенко Ігнатенко Костенко Захарченко Пономаренко "
    "Юрченко Федоренко Остапчук Гаврилюк Шаповал Білоус Кучер Гнатюк Гріщенко Пилипенко Ярошенко Демченко "
    "Хоменко Прокопенко Зінченко Соловйов Ґудзь Ґалаґан Білецький Заболотний Яценко Єременко Їжакевич"
)
UA_PATRONYMIC = tuple(
    pair.split("/")
    for pair in words(
        "Олександрович/Олександрівна Іванович/Іванівна Петрович/Петрівна Миколайович/Миколаївна "
        "Васильович/Василівна Володимирович/Володимирівна Сергійович/Сергіївна Михайлович/Михайлівна "
        "Григорович/Григорівна Степанович/Степанівна Юрійович/Юріївна Андрійович/Андріївна"
    )
)
# How a Russian-language form renders a Ukrainian given name (the same name, Russian form).
UA_RUSSIFIED = dict(
    pair.split("/")
    for pair in words(
        "Олександр/Александр Андрій/Андрей Василь/Василий Володимир/Владимир Дмитро/Дмитрий Євген/Евгений "
        "Микола/Николай Михайло/Михаил Олексій/Алексей Павло/Павел Петро/Пётр Сергій/Сергей Юрій/Юрий "
        "Олена/Елена Наталія/Наталья Тетяна/Татьяна Ганна/Анна Олександра/Александра Світлана/Светлана "
        "Катерина/Екатерина Надія/Надежда Віра/Вера"
    )
)

TJ_M = words(
    "Ҷамшед Фаррух Фирӯз Шаҳром Бахтиёр Далер Раҳмон Қодир Ҳусейн Меҳроҷ Сӯҳроб Зафар Умед Ғайрат Нозим "
    "Исмоил Комрон Абдуллоҳ Манучеҳр Исфандиёр Сафар Шерзод Ҷавоҳир Рустам Азиз"
)
TJ_F = words(
    "Зарина Мадина Нигора Гулнора Шаҳноза Фарзона Малика Дилноза Мунира Ҳафиза Ситора Таҳмина Парвина "
    "Нилуфар Мавзуна Шабнам Гулчеҳра Меҳрангез Фотима Зулфия"
)
TJ_FAMILY = words(
    "Раҳмонов Қодиров Ҳасанов Шарипов Назаров Сафаров Раҷабов Ҷӯраев Каримов Саидов Мирзоев Давлатов "
    "Холов Ғафуров Абдуллоев Сангинов Исмоилов Юсуфов Олимов Файзуллоев Ашуров Бобоев Маҳмадалиев Ҳакимов "
    "Зоиров Қурбонов Ятимов Неъматов Шоев Ҳусейнов"
)
UZ_M = words(
    "Жамшид Рустам Баҳодир Улуғбек Азизбек Шерзод Отабек Жаҳонгир Дилшод Фарҳод Ўктам Тўлқин Бобур Анвар "
    "Илҳом Нодир Санжар Сардор Шоҳрух Умид Хуршид Акмал Ғайрат Дониёр Муҳаммад Ойбек"
)
UZ_F = words(
    "Дилноза Гулноза Малика Нилуфар Шаҳло Феруза Моҳира Зилола Нодира Гўзал Дилфуза Барно Лола Муҳаббат "
    "Севара Ширин Юлдуз Ҳулкар Мафтуна"
)
UZ_FAMILY = words(
    "Каримов Усмонов Турсунов Йўлдошев Раҳимов Алиев Ҳасанов Абдуллаев Тошматов Эргашев Назаров Исмоилов "
    "Жўраев Холматов Қосимов Шукуров Мирзаев Маҳмудов Содиқов Умаров Ғуломов Норматов Рўзиев Баҳромов "
    "Собиров Ўринов Қодиров Мўминов Хўжаев Султонов"
)
KG_M = words("Азамат Бакыт Нурлан Эрлан Мирлан Айбек Улан Талант Жыргалбек Бекжан Кубанычбек Эрмек Нурбек Канат")
KG_F = words("Айгерим Айжан Гулзат Жылдыз Нургүл Айпери Бермет Чолпон Асель Жибек Назгүл Бүбүсара")
KG_FAMILY = words(
    "Асанов Токтогулов Абдыкадыров Мамытов Жумабаев Осмонов Бакиев Ташиев Садыров Сыдыков Алымкулов "
    "Жээнбеков Кадыров Мырзабеков Тургунбаев"
)
KZ_M = words("Нұрлан Ерлан Асқар Дәурен Бауыржан Серік Ғалым Қайрат Жанибек Ермек Арман Дархан Мұрат Әлихан")
KZ_F = words("Әйгерім Ақмарал Гүлнар Динара Жанар Айгүл Мәдина Сәуле Аружан Жұлдыз Балжан Нұргүл")
KZ_FAMILY = words(
    "Нұрланов Әбенов Қасымов Жұмабаев Сейітов Омаров Мұхамеджанов Ахметов Бекмұханов Тоқаев Сәрсенов "
    "Жақсылықов Байжанов Исабеков"
)
GE_M = words("Георгий Давид Ираклий Леван Нико Гиорги Зураб Тамаз Шота Важа Мераб Бесик Гела Отар Реваз")
GE_F = words("Нино Тамара Кетеван Мариам Натия Эка Саломе Тамуна Манана Нана Лиа Софико Майя")
GE_FAMILY = words(
    "Беридзе Капанадзе Гелашвили Майсурадзе Цхададзе Квирикашвили Мчедлишвили Ломидзе Джапаридзе Абашидзе "
    "Чхеидзе Гогичаишвили Нозадзе Бурдули Гиоргадзе Хуцишвили Церетели Мамардашвили Кипиани Дарчиа Чантурия "
    "Какабадзе Жвания"
)
AM_M = words("Арам Ашот Армен Гагик Карен Тигран Ованес Саркис Давид Артур Вардан Грант Левон Самвел Арсен")
AM_F = words("Ануш Гаяне Лилит Мариам Нарине Сатеник Ани Карине Армине Асмик Сирануш Зара")
AM_FAMILY = words(
    "Петросян Саргсян Акопян Григорян Оганесян Карапетян Арутюнян Мартиросян Симонян Хачатрян Степанян "
    "Галстян Варданян Манукян Аветисян Мкртчян Погосян Казарян Овсепян Бабаян Тер-Петросян Амбарцумян"
)
AZ_M = words("Эльчин Рашад Орхан Турал Фарид Ильхам Эльвин Рамиль Самир Вугар Гусейн Али Мамед Джавид Анар")
AZ_F = words("Айтен Севиндж Гюнай Лейла Нигяр Ульвия Наргиз Айгюн Гюльнара Кёнуль Самира Эсмира")
AZ_FAMILY = words(
    "Мамедов Алиев Гусейнов Гасанов Гулиев Исмаилов Бабаев Керимов Рзаев Аббасов Ахмедов Джафаров "
    "Сулейманов Ибрагимов Велиев Гаджиев Рагимов Мусаев Насибов Агаев Садыхов"
)

AF_M = words(
    "Ahmad Mohammad Abdul Rahim Karim Hamid Jawad Farid Naveed Omid Sayed Zalmai Habibullah Najibullah "
    "Rahmatullah Hekmat Sohrab Wahid Shafiq Qasim Faizullah Bashir Nasir Jamshid Wali"
)
AF_F = words(
    "Fatima Zahra Maryam Nargis Shabnam Farzana Laila Soraya Mursal Zarghuna Parwana Malalai Shakila "
    "Nazanin Hila Roya Zainab Khadija Freshta"
)
AF_FAMILY = words(
    "Ahmadi Rahimi Karimi Hakimi Sultani Noori Amiri Hashimi Popal Stanekzai Ahmadzai Barakzai Mohammadi "
    "Jalali Haidari Sadat Rahmani Safi Wardak Yusufzai Hotak Habibi Azizi Nazari Qaderi Rasuli Sharifi "
    "Mansoori Niazi Durrani"
)
NG_M = words(
    "Chinedu Emeka Oluwaseun Adebayo Babatunde Ifeanyi Chukwuemeka Olumide Tunde Femi Segun Obinna Uchenna "
    "Ibrahim Musa Abubakar Usman Yusuf Nnamdi Kelechi Adewale Olusegun Ikechukwu Ayodele"
)
NG_F = words(
    "Chioma Ngozi Adaeze Funmilayo Folake Yetunde Amaka Blessing Aisha Halima Zainab Oluwakemi Bukola "
    "Nkechi Chiamaka Temitope Omolara Ifeoma Adunni Uchechi"
)
NG_FAMILY = words(
    "Okafor Okonkwo Adeyemi Ogunleye Eze Nwosu Balogun Okeke Obi Chukwu Olawale Afolabi Oyelaran Ibekwe "
    "Nwachukwu Bello Danjuma Ogunbiyi Oladipo Akinola Ezeh Onyekachi Uzor"
)
GH_M = words("Kwame Kofi Kwabena Kwaku Yaw Kojo Kwesi Kweku Emmanuel Kwadwo Fiifi Nana")
GH_F = words("Ama Akosua Abena Afua Yaa Adwoa Efua Esi Akua Adjoa Afia Araba")
GH_FAMILY = words(
    "Mensah Asante Owusu Boateng Osei Agyeman Appiah Amoah Ofori Darko Acheampong Antwi Adjei Badu Quaye "
    "Tetteh Ansah Gyamfi Kuffour Addo"
)
ET_M = words(
    "Abebe Bekele Dawit Getachew Haile Tesfaye Yohannes Mulugeta Solomon Tadesse Girma Alemayehu Kebede "
    "Berhanu Mesfin Worku Fikru Tewodros Biniam Ermias"
)
ET_F = words("Almaz Tigist Meron Hiwot Selam Bethlehem Tsion Mahlet Rahel Genet Hirut Aster Mekdes Liya Yordanos")
CD_M = words("Jean Pierre Patrick Christian Joseph Trésor Glody Héritier Fiston Dieudonné Blaise Gloire Moïse Serge")
CD_F = words("Marie Grâce Esther Ruth Sarah Nadège Rachel Bénédicte Chancelle Exaucée Merveille Divine")
CD_FAMILY = words(
    "Mukendi Kabila Tshisekedi Ilunga Kasongo Mbuyi Kalala Mutombo Lumumba Nkulu Kabeya Tshibangu Mbala "
    "Ngoy Kabamba Mulumba Banza Mwamba Kazadi Lukusa"
)


@dataclass(frozen=True)
class Population:
    """One client population: its names, how they inflect, and how often it reaches the office."""

    code: str
    citizenship: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    cyrillic: bool  # names written natively in Cyrillic (else in Latin)
    gendered_family: bool  # -ov/-ova
    patronymic: str  # "ru", "ua", "derived" (father's name + -ович), "oglu", "" (none)
    weight: int
    languages: tuple[str, ...] = ()  # ISO 639-1, most spoken first


POPULATIONS = (
    Population("ru", "RU", tuple(RU_M), tuple(RU_F), tuple(RU_FAMILY), True, True, "ru", 6, ("ru",)),
    Population("ua", "UA", tuple(UA_M), tuple(UA_F), tuple(UA_FAMILY), True, True, "ua", 4, ("uk", "ru")),
    Population("tj", "TJ", tuple(TJ_M), tuple(TJ_F), tuple(TJ_FAMILY), True, True, "derived", 4, ("tg", "ru")),
    Population("uz", "UZ", tuple(UZ_M), tuple(UZ_F), tuple(UZ_FAMILY), True, True, "derived", 4, ("uz", "ru")),
    Population("kg", "KG", tuple(KG_M), tuple(KG_F), tuple(KG_FAMILY), True, True, "derived", 2, ("ky", "ru")),
    Population("kz", "KZ", tuple(KZ_M), tuple(KZ_F), tuple(KZ_FAMILY), True, True, "derived", 2, ("kk", "ru")),
    Population("ge", "GE", tuple(GE_M), tuple(GE_F), tuple(GE_FAMILY), True, False, "", 2, ("ka", "ru")),
    Population("am", "AM", tuple(AM_M), tuple(AM_F), tuple(AM_FAMILY), True, False, "derived", 2, ("hy", "ru")),
    Population("az", "AZ", tuple(AZ_M), tuple(AZ_F), tuple(AZ_FAMILY), True, True, "oglu", 2, ("az", "ru")),
    Population("af", "AF", tuple(AF_M), tuple(AF_F), tuple(AF_FAMILY), False, False, "", 3, ("fa", "ps")),
    Population("ng", "NG", tuple(NG_M), tuple(NG_F), tuple(NG_FAMILY), False, False, "", 2, ("en", "yo", "ig", "ha")),
    Population("gh", "GH", tuple(GH_M), tuple(GH_F), tuple(GH_FAMILY), False, False, "", 1, ("en", "ak")),
    Population("et", "ET", tuple(ET_M), tuple(ET_F), tuple(ET_M), False, False, "", 1, ("am", "en")),
    Population("cd", "CD", tuple(CD_M), tuple(CD_F), tuple(CD_FAMILY), False, False, "", 1, ("fr", "ln", "sw")),
)

# --------------------------------------------------------------------------------------------------
# Morphology and renderers


def feminine(family: str) -> str:
    """Russian-style feminine family name (also used by Tajik, Uzbek, Kazakh ... in Russian documents)."""
    for masc, fem in (("ский", "ская"), ("цкий", "цкая"), ("ський", "ська"), ("цький", "цька"), ("ний", "на")):
        if family.endswith(masc):
            return family[: -len(masc)] + fem
    if family.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return family + "а"
    return family


def derived_patronymic(father: str, sex: str) -> str:
    """Father's name + -ович/-овна as Russian documents write it for Central Asian and Armenian names."""
    stem = father[:-1] if father[-1] in "ай" else father
    suffix = "евич" if father[-1] == "й" else "ович"
    return stem + (suffix if sex == "M" else suffix.replace("ич", "на"))


# Non-Russian Cyrillic letters as Russian orthography writes them.
_RUSSIFY = str.maketrans(
    {
        "і": "и", "ї": "и", "є": "е", "ґ": "г", "ў": "у", "ғ": "г", "ӣ": "и", "қ": "к", "ӯ": "у",
        "ҳ": "х", "ҷ": "дж", "ә": "а", "ө": "ё", "ү": "ю", "ұ": "у", "ң": "н", "һ": "х",
        "І": "И", "Ї": "И", "Є": "Е", "Ґ": "Г", "Ў": "У", "Ғ": "Г", "Қ": "К", "Ҳ": "Х", "Ҷ": "Дж",
        "Ә": "А", "Ө": "Ё", "Ү": "Ю", "Ұ": "У",
    }
)  # fmt: skip

# Ukrainian national transliteration (Cabinet of Ministers resolution 55, 2010).
_UA_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "",
}  # fmt: skip
_UA_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

# Tajik Latin as used informally (and in Tajik passports' older practice).
_TJ_LATIN = {
    "ҷ": "j", "қ": "q", "ҳ": "h", "ғ": "gh", "ӯ": "u", "ӣ": "i", "х": "kh", "ш": "sh", "ч": "ch", "ж": "zh",
    "ё": "yo", "ю": "yu", "я": "ya", "е": "e", "ъ": "", "й": "y", "ц": "ts", "щ": "sh", "ы": "y", "э": "e",
}  # fmt: skip

# German (Duden) transliteration of Russian.
_DE_LATIN = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch", "з": "s", "и": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "ju", "я": "ja",
}  # fmt: skip

# Latin names written in Cyrillic the way Russian clerks do (digraphs first).
_LATIN_TO_CYRILLIC = (
    ("sch", "ш"), ("kh", "х"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("gh", "г"), ("ph", "ф"), ("th", "т"),
    ("ts", "ц"), ("ya", "я"), ("yu", "ю"), ("ye", "е"), ("yo", "йо"), ("ou", "у"), ("oo", "у"), ("ee", "и"),
    ("dj", "дж"), ("j", "дж"), ("y", "й"), ("w", "в"), ("c", "к"), ("q", "к"), ("x", "кс"), ("a", "а"),
    ("b", "б"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("v", "в"), ("z", "з"), ("é", "е"), ("è", "е"), ("ï", "и"), ("â", "а"), ("ô", "о"),
    ("ç", "с"),
)  # fmt: skip


def _table(word: str, table: dict[str, str], initial: dict[str, str] | None = None) -> str:
    out = []
    for i, ch in enumerate(word):
        low = ch.lower()
        at_start = i == 0 or not word[i - 1].isalpha()
        value = (initial or {}).get(low) if at_start else None
        value = value if value is not None else table.get(low, low)
        out.append(value.capitalize() if ch.isupper() else value)
    return "".join(out)


def latin_to_cyrillic(name: str) -> str:
    text, out, i = name.lower(), [], 0
    while i < len(text):
        for latin, cyr in _LATIN_TO_CYRILLIC:
            if text.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(text[i])
            i += 1
    word = "".join(out)
    if word.startswith("е"):
        word = "э" + word[1:]
    return "-".join(part.capitalize() for part in word.split("-"))


def _iuliia(schema: iuliia.Schema) -> Callable[[str], str]:
    return lambda text: schema.translate(text.translate(_RUSSIFY))


RU_SCHEMES: dict[str, Callable[[str], str]] = {
    "icao_2013": _iuliia(iuliia.ICAO_DOC_9303),
    "mvd_1997": _iuliia(iuliia.MVD_310),
    "order_2010": _iuliia(iuliia.GOST_52535),
    "bgn_pcgn": _iuliia(iuliia.BGN_PCGN),
    "gost_779": _iuliia(iuliia.GOST_779),
    "wikipedia": _iuliia(iuliia.WIKIPEDIA),
    "informal": _iuliia(iuliia.YANDEX_MONEY),
    "mosmetro": _iuliia(iuliia.MOSMETRO),
    "french": _iuliia(iuliia.MVD_310_FR),
    "german": lambda text: _table(text.translate(_RUSSIFY), _DE_LATIN),
}


def render(name: str, population: Population, scheme: str) -> str:
    """A name part as a document of ``scheme`` writes it."""
    if not name:
        return ""
    if scheme == "native":
        return name
    if scheme == "cyrillic":
        return latin_to_cyrillic(name) if not population.cyrillic else name.translate(_RUSSIFY)
    if not population.cyrillic:
        return name if scheme != "roundtrip" else RU_SCHEMES["icao_2013"](latin_to_cyrillic(name))
    if scheme == "tj_latin" and population.code == "tj":
        # Tajik informal Latin for the Tajik letters, ICAO for the rest: a name wholly in Latin.
        return RU_SCHEMES["icao_2013"](_table(name, _TJ_LATIN))
    if scheme in ("national", "tj_latin"):
        if population.code == "ua":
            return _table(name, _UA_LATIN, _UA_INITIAL)
        if population.code == "uz":
            return iuliia.UZ.translate(name)
        if population.code == "tj":
            return _table(name, _TJ_LATIN)  # leaves the other letters in Cyrillic: kept for the labelled set
        scheme = "icao_2013"
    return RU_SCHEMES[scheme](name)


def schemes_for(population: Population) -> tuple[str, ...]:
    """The schemes a record of this population may be written in (repeats make a scheme likelier)."""
    if not population.cyrillic:
        return ("native", "native", "cyrillic", "roundtrip")
    extra = ("national", "national") if population.code in ("ua", "uz", "tj") else ()
    return ("native", "cyrillic", *RU_SCHEMES, *extra)


def typo(word: str, rng: random.Random) -> str:
    """One edit (substitution, deletion, insertion or transposition) inside the word."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    letters = "аеиоунрстлк" if any("а" <= ch.lower() <= "я" for ch in word) else "aeiounrstlk"
    if kind == 0:
        return word[:i] + rng.choice(letters) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + rng.choice(letters) + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def pick_population(rng: random.Random) -> Population:
    """A population, as often as it reaches the office."""
    return rng.choices(POPULATIONS, weights=[p.weight for p in POPULATIONS])[0]


def family_for(population: Population, family: str, sex: str) -> str:
    """The family name in the form for this sex (Ivanov/Ivanova where the language inflects it)."""
    return feminine(family) if population.gendered_family and sex == "F" else family


def patronymic_for(population: Population, rng: random.Random, sex: str, father: str | None = None) -> str:
    """A patronymic for this sex: from the father's name when given, else a random father."""
    index = 0 if sex == "M" else 1
    if population.patronymic == "ru":
        return rng.choice(RU_PATRONYMIC)[index]
    if population.patronymic == "ua":
        return rng.choice(UA_PATRONYMIC)[index]
    if population.patronymic == "derived":
        return derived_patronymic(father or rng.choice(population.male), sex)
    if population.patronymic == "oglu":
        return f"{father or rng.choice(population.male)} {'оглы' if sex == 'M' else 'кызы'}"
    return ""
