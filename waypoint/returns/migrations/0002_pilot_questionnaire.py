# ruff: noqa: RUF001
"""The pilot's profiling questionnaire (English and Russian) and the office's two return projects; administrators
edit them afterwards in the back office."""

from django.db import migrations

# code, English, Russian, kind, required, options (code, English, Russian, category)
QUESTIONS = [
    ("purpose", "Why did you come to the Russian Federation?", "С какой целью вы приехали в Российскую Федерацию?",
     "choice", True, [
         ("study", "To study at a university or college", "Для учёбы в вузе или колледже", "contract_student"),
         ("work", "To work", "Для работы", "labour_migrant"),
         ("transit", "To travel on to Western Europe or America", "Чтобы ехать дальше, в Западную Европу или Америку",
          "transit_migrant"),
         ("asylum", "To seek refugee status or asylum", "Чтобы получить статус беженца или убежище", "asylum_seeker"),
         ("family", "To join or visit family", "К семье или в гости к родственникам", ""),
         ("other", "Other", "Другое", ""),
     ]),
    ("entry", "How did you enter the Russian Federation?", "Как вы въехали в Российскую Федерацию?", "choice", True, [
        ("student_visa", "With a student visa", "По учебной визе", "contract_student"),
        ("work_visa", "With a work visa or a signed work contract", "По рабочей визе или с подписанным трудовым "
         "договором", "labour_migrant"),
        ("visa_free_work", "Without a visa, looking for work", "Без визы, в поисках работы", "labour_migrant"),
        ("transit_visa", "With a tourist or transit visa", "По туристической или транзитной визе", "transit_migrant"),
        ("irregular", "Without documents or irregularly", "Без документов или нелегально", ""),
    ]),
    ("main_difficulty", "What is your main difficulty now?", "Какая у вас сейчас главная трудность?", "choice", True, [
        ("tuition", "I cannot pay for my studies", "Не могу оплатить учёбу", "contract_student"),
        ("no_work", "I have no work or I was not paid", "Нет работы или не заплатили", "labour_migrant"),
        ("stuck", "I cannot travel on or was sent back at a border", "Не могу ехать дальше или меня вернули с границы",
         "transit_migrant"),
        ("refused", "My asylum claim was refused or I gave it up", "Мне отказали в убежище или я отказался от "
         "ходатайства", "asylum_seeker"),
        ("documents", "My visa or documents expired", "Истёк срок визы или документов", ""),
        ("health", "Health", "Здоровье", ""),
    ]),
    ("asylum_applied", "Did you apply for refugee status or temporary asylum in Russia?",
     "Обращались ли вы в России за статусом беженца или временным убежищем?", "yes_no", True, []),
    ("onward_plan", "Did you plan to travel on to another country?", "Собирались ли вы ехать дальше, в другую страну?",
     "yes_no", True, []),
    ("months_in_russia", "How many months have you been in Russia?", "Сколько месяцев вы находитесь в России?",
     "number", True, []),
    ("has_passport", "Do you have a valid passport?", "Есть ли у вас действительный паспорт?", "yes_no", True, []),
    ("occupation_home", "What did you do in your country before leaving?", "Чем вы занимались на родине до отъезда?",
     "text", False, []),
    ("received_by", "Who will receive you at home?", "Кто встретит вас дома?", "text", False, []),
]

PROJECTS = [
    ("AVRR pilot 2026", ["CIS", "OECD", "EU"], ["irregular_stay", "expired_visa", "expired_permit", "rejected_asylum",
                                                "asylum_seeker", "stranded_student", "stranded_transit"], True),
    ("Return to the Chechen Republic from Austria", [], ["rejected_asylum", "asylum_seeker", "irregular_stay"], True),
]


def forwards(apps, schema_editor):
    Question = apps.get_model("returns", "Question")
    QuestionOption = apps.get_model("returns", "QuestionOption")
    ReturnProject = apps.get_model("returns", "ReturnProject")
    for order, (code, english, russian, kind, required, options) in enumerate(QUESTIONS, start=1):
        question, created = Question.objects.get_or_create(code=code, defaults={
            "text_en": english, "text_ru": russian, "kind": kind, "required": required, "order": order * 10})
        if not created:
            continue
        QuestionOption.objects.bulk_create([
            QuestionOption(question=question, code=option, text_en=option_en, text_ru=option_ru, category=category,
                           order=position * 10)
            for position, (option, option_en, option_ru, category) in enumerate(options, start=1)])
    for name, groups, statuses, vulnerable in PROJECTS:
        ReturnProject.objects.get_or_create(name=name, defaults={
            "excluded_groups": groups, "accepted_statuses": statuses, "requires_vulnerability": vulnerable})


def backwards(apps, schema_editor):
    apps.get_model("returns", "QuestionOption").objects.filter(answers__isnull=True).delete()
    apps.get_model("returns", "Question").objects.filter(answers__isnull=True, options__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
