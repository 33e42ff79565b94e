# ruff: noqa: E501, RUF001 - Russian texts; paragraphs kept one line each
"""Demo knowledge base: short answers and guides in English and Russian.

General and accurate in substance for Russia; rules, fees and deadlines change, and the articles say so
and send the operator to the authority. No telephone number of an institution is given except the
country-wide emergency numbers (112, 103).
"""

from __future__ import annotations

# (kind, topic codes, title_en, title_ru, body_en, body_ru)
ARTICLES: list[tuple[str, tuple[str, ...], str, str, str, str]] = [
    (
        "answer", ("work-permits", "migration-law"),
        "Working legally: patent, work permit or EAEU citizenship",
        "Законная работа: патент, разрешение на работу или гражданство ЕАЭС",
        """Which document a foreign worker needs depends on their citizenship.

## Citizens of visa-free countries (for example Uzbekistan, Tajikistan, Moldova, Azerbaijan)
- They work on a patent issued by the regional migration department of the Ministry of Internal Affairs.
- On entry, "work" should be written as the purpose of the visit on the migration card.
- The application is filed within 30 days of entry: passport, migration card, registration slip, medical certificate, certificate of the test in Russian language, history and the foundations of the law, voluntary medical insurance policy; fingerprints and a photograph are taken.
- The patent is valid only in the region that issued it, and only while the fixed monthly income tax advance is paid on time: a late payment ends the patent. Advise the caller to keep every receipt.
- Within two months of receiving the patent, a copy of the employment contract must be handed to the migration department.

## Citizens of the Eurasian Economic Union (Armenia, Belarus, Kazakhstan, Kyrgyzstan)
- They need no patent and no work permit: they work on an employment contract, like Russian nationals.
- They must still be registered at their place of stay, and the employer must notify the migration authorities of the contract.

## Visa nationals
- They need a work visa and a work permit, which the employer requests.

## What to tell the caller
- Requirements, fees and deadlines change and differ by region: check them with the regional migration department before quoting amounts.
- Working without the right document exposes the worker to fines and expulsion, and makes them easier to exploit.""",
        """Какой документ нужен иностранному работнику, зависит от его гражданства.

## Граждане безвизовых стран (например, Узбекистана, Таджикистана, Молдовы, Азербайджана)
- Работают по патенту, который выдаёт региональное подразделение по вопросам миграции МВД России.
- При въезде в миграционной карте целью визита должна быть указана «работа».
- Заявление подаётся в течение 30 дней после въезда: паспорт, миграционная карта, отрывная часть уведомления о постановке на учёт, медицинское заключение, сертификат об экзамене по русскому языку, истории России и основам законодательства, полис добровольного медицинского страхования; проводится дактилоскопия и фотографирование.
- Патент действует только в выдавшем его регионе и только пока вовремя вносится ежемесячный фиксированный авансовый платёж по НДФЛ: просрочка платежа прекращает действие патента. Посоветуйте сохранять все квитанции.
- В течение двух месяцев после получения патента нужно представить в подразделение по вопросам миграции копию трудового договора.

## Граждане Евразийского экономического союза (Армения, Беларусь, Казахстан, Киргизия)
- Патент и разрешение на работу не нужны: они работают по трудовому договору, как граждане России.
- Встать на миграционный учёт по месту пребывания всё равно нужно, а работодатель обязан уведомить миграционные органы о заключении договора.

## Граждане визовых стран
- Нужны рабочая виза и разрешение на работу, которое оформляет работодатель.

## Что сказать абоненту
- Требования, размеры платежей и сроки меняются и различаются по регионам: прежде чем называть суммы, уточните их в региональном подразделении по вопросам миграции.
- Работа без нужного документа грозит штрафом и выдворением и делает работника уязвимым для эксплуатации.""",
    ),
    (
        "answer", ("registration", "migration-law"),
        "Migration registration at the place of stay",
        "Миграционный учёт по месту пребывания",
        """A foreign national staying in Russia must be registered at the address where they live (the place of stay).

- The receiving party (the landlord, the employer who provides housing, or the hotel) notifies the migration authorities, as a rule within seven working days of arrival. The notification can be filed at the migration department, at a multifunctional public service centre (MFC) or by post.
- The foreign national keeps the tear-off part of the notification: it proves the registration during a document check.
- Citizens of the Eurasian Economic Union may stay up to 30 days without registration (citizens of Belarus longer).
- When the person moves, the new receiving party registers them again.
- Registration at an address where the person does not really live ("fictitious registration") is an offence for the receiving party and can lead to the foreign national's expulsion. Warn callers who are offered registration "at any address for a fee".

If the landlord refuses to register the caller, explain the risk of fines for both, and refer to legal aid.""",
        """Иностранный гражданин, находящийся в России, должен стоять на учёте по адресу, где он фактически проживает (по месту пребывания).

- Принимающая сторона (арендодатель, работодатель, предоставивший жильё, или гостиница) уведомляет миграционные органы, как правило, в течение семи рабочих дней после прибытия. Уведомление подаётся в подразделение по вопросам миграции, через МФЦ или почтой.
- Иностранный гражданин хранит отрывную часть уведомления: она подтверждает постановку на учёт при проверке документов.
- Граждане Евразийского экономического союза могут находиться в России без постановки на учёт до 30 дней (граждане Беларуси дольше).
- При переезде новая принимающая сторона ставит человека на учёт заново.
- Постановка на учёт по адресу, где человек на самом деле не живёт («фиктивная регистрация»), является правонарушением принимающей стороны и может привести к выдворению иностранного гражданина. Предупредите абонентов, которым предлагают «регистрацию по любому адресу за деньги».

Если арендодатель отказывается ставить абонента на учёт, объясните, что штраф грозит обоим, и направьте за юридической помощью.""",
    ),
    (
        "answer", ("citizenship",),
        "Russian citizenship: where to start",
        "Гражданство России: с чего начать",
        """Citizenship is granted through the migration department of the Ministry of Internal Affairs. Which procedure applies depends on the caller's situation: do not promise an outcome.

## General procedure
- As a rule after living in Russia on a residence permit for several years, with a legal source of income, knowledge of the Russian language, history and the foundations of the law, and renunciation of the other citizenship where required.

## Simplified procedure
- Exists for certain categories, for example: a person with a parent who is a Russian citizen living in Russia; persons recognised as native speakers of Russian; participants in the State Programme for assisting the voluntary resettlement of compatriots; citizens of some countries under international agreements.
- The categories and the documents change: the caller should check their own category at the migration department.

## Steps an operator can suggest
1. Make sure the caller's stay is legal now (registration, patent or residence permit): a breach can lead to refusal.
2. Gather identity and civil status documents, with notarised translations.
3. Ask at the migration department which documents their category requires.
4. For a complicated history (lost documents, an expired passport, an old Soviet passport), refer to a legal aid partner from the directory.""",
        """Гражданство оформляется через подразделение по вопросам миграции МВД России. Порядок зависит от ситуации абонента: не обещайте результата.

## Общий порядок
- Как правило, после нескольких лет проживания в России по виду на жительство, при наличии законного источника дохода, знании русского языка, истории и основ законодательства и отказе от другого гражданства, если это требуется.

## Упрощённый порядок
- Предусмотрен для отдельных категорий, например: лица, у которых один из родителей — гражданин России, проживающий в России; лица, признанные носителями русского языка; участники Государственной программы по оказанию содействия добровольному переселению соотечественников; граждане некоторых государств по международным договорам.
- Категории и перечни документов меняются: абоненту следует уточнить свою категорию в подразделении по вопросам миграции.

## Что может посоветовать оператор
1. Убедиться, что пребывание абонента сейчас законно (учёт, патент или вид на жительство): нарушение может привести к отказу.
2. Собрать документы, удостоверяющие личность и гражданское состояние, с нотариально заверенными переводами.
3. Уточнить в подразделении по вопросам миграции перечень документов для своей категории.
4. При сложной истории (утраченные документы, просроченный паспорт, старый советский паспорт) направить к юристу организации-партнёра из справочника.""",
    ),
    (
        "answer", ("employer-violations", "documents", "trafficking"),
        "Unpaid wages, withheld passport: when the employer breaks the law",
        "Невыплата зарплаты, изъятый паспорт: когда работодатель нарушает закон",
        """Foreign workers working under a contract have the same labour rights as Russian workers.

## Warning signs to ask about
- The employer keeps the worker's passport or patent. No employer may keep a worker's identity documents: it is also a sign of forced labour.
- Wages unpaid for weeks, or "debts" for housing, food or travel that keep growing.
- The worker cannot leave the workplace or the accommodation, or is threatened with the police.

## What the worker can do
- Gather evidence: the contract or any written agreement, the patent and payment receipts, photographs of the workplace, names and numbers of supervisors, messages about work and pay, co-workers who can confirm.
- Complain to the State Labour Inspectorate of the region or to the prosecutor's office; wage claims can also go to court. Complaints can be filed online.
- For a passport kept by the employer: ask for it back in writing, and report to the police if it is not returned; the consulate can issue a document for return home.

## What the operator does
- If the caller is not free to leave or is threatened, treat it as a possible trafficking situation (see "Signs of trafficking").
- Refer to a legal aid partner from the directory; with the caller's consent, pass on only what is needed.""",
        """Иностранные работники, работающие по договору, имеют те же трудовые права, что и российские.

## Тревожные признаки, о которых стоит спросить
- Работодатель держит у себя паспорт или патент работника. Ни один работодатель не вправе удерживать документы, удостоверяющие личность работника: это также признак принудительного труда.
- Зарплата не выплачивается неделями, или растут «долги» за жильё, питание, проезд.
- Работник не может покинуть место работы или проживания, ему угрожают полицией.

## Что может сделать работник
- Собрать доказательства: договор или любую письменную договорённость, патент и квитанции об оплате, фотографии места работы, имена и телефоны руководителей, переписку о работе и оплате, свидетелей из числа коллег.
- Обратиться в Государственную инспекцию труда региона или в прокуратуру; требования о зарплате можно также предъявить в суд. Жалобы можно подать через интернет.
- Если паспорт удерживает работодатель: письменно потребовать его вернуть, а если не вернёт — заявить в полицию; консульство может выдать документ для возвращения на родину.

## Что делает оператор
- Если абонент не может свободно уйти или ему угрожают, рассматривайте ситуацию как возможную торговлю людьми (см. «Признаки торговли людьми»).
- Направьте к юристу организации-партнёра из справочника; с согласия абонента передавайте только необходимые сведения.""",
    ),
    (
        "answer", ("police", "registration"),
        "Document checks by the police",
        "Проверка документов сотрудниками полиции",
        """Police officers may check the documents of anyone in a public place.

## What a foreign national should carry
- Passport, migration card, registration slip, and the patent or work permit with proof of the latest payments. Copies kept at home help if the originals are lost.

## During a check
- The officer must give their position, rank and surname and say why they are addressing the person; the caller may ask to see the officer's identity card.
- Stay calm and polite; do not hand over money.
- Do not sign a record you do not understand: the person has the right to an interpreter and may write that they disagree.
- If taken to a police station, the person may inform relatives and contact their consulate and a lawyer.

## After the check
- Write down the officer's name and unit, the time and the place.
- A complaint about unlawful actions can go to the prosecutor's office or to the internal security service of the police. Refer to legal aid if the caller wants to complain.""",
        """Сотрудники полиции вправе проверять документы у любого человека в общественном месте.

## Что иностранному гражданину следует иметь при себе
- Паспорт, миграционную карту, отрывную часть уведомления о постановке на учёт, патент или разрешение на работу и квитанции о последних платежах. Копии, хранящиеся дома, помогут, если оригиналы будут утрачены.

## Во время проверки
- Сотрудник обязан назвать свою должность, звание и фамилию и сообщить причину обращения; можно попросить предъявить служебное удостоверение.
- Сохраняйте спокойствие и вежливость; не передавайте деньги.
- Не подписывайте протокол, который вам непонятен: есть право на переводчика и право записать своё несогласие.
- При доставлении в отдел полиции человек может сообщить родственникам, обратиться в своё консульство и к адвокату.

## После проверки
- Запишите фамилию и подразделение сотрудника, время и место.
- Жалобу на незаконные действия можно подать в прокуратуру или в службу собственной безопасности полиции. Если абонент хочет жаловаться, направьте его за юридической помощью.""",
    ),
    (
        "answer", ("trafficking",),
        "Signs of trafficking: what to ask and what to do",
        "Признаки торговли людьми: о чём спросить и что делать",
        """Trafficking is recruiting, moving or holding a person by deception, force or abuse of their situation in order to exploit them: forced labour, sexual exploitation, forced begging or crime. In Russia it is a crime (Criminal Code, articles 127.1 and 127.2).

## Signs
- Documents taken away; a debt that can never be paid off.
- Not free to leave the workplace or the accommodation; locked in; always accompanied.
- Threats to the person or their family, violence, threats to denounce them to the police.
- Work very different from what was promised; no pay or almost none.
- No contact with the family; phone taken away; does not know the address.

## What the operator does
1. Ask whether the caller is safe now and can talk. In immediate danger, advise the emergency number 112.
2. Listen; do not press for details the caller does not want to give. Do not promise what the office cannot do.
3. Explain the help available: safe accommodation, medical and psychological care, legal advice, help to return home; all voluntary and confidential.
4. With the caller's consent, refer to a shelter or escalate to a counter-trafficking case; record a trafficking situation report for the authority if the caller agrees.
5. Agree on a safe way and time to call back.""",
        """Торговля людьми — это вербовка, перевозка или удержание человека путём обмана, принуждения или использования его уязвимого положения в целях эксплуатации: принудительного труда, сексуальной эксплуатации, принуждения к попрошайничеству или к совершению преступлений. В России это преступление (статьи 127.1 и 127.2 Уголовного кодекса).

## Признаки
- Отобраны документы; долг, который невозможно погасить.
- Нельзя свободно покинуть место работы или проживания; человека запирают; он всегда под присмотром.
- Угрозы ему или его семье, насилие, угрозы сообщить в полицию.
- Работа сильно отличается от обещанной; оплаты нет или почти нет.
- Нет связи с семьёй; отобран телефон; человек не знает адреса, где находится.

## Что делает оператор
1. Спросите, в безопасности ли абонент сейчас и может ли говорить. При непосредственной опасности посоветуйте позвонить по номеру экстренных служб 112.
2. Выслушайте; не настаивайте на подробностях, которые абонент не хочет сообщать. Не обещайте того, чего офис сделать не может.
3. Расскажите о доступной помощи: безопасное проживание, медицинская и психологическая помощь, юридическая консультация, помощь в возвращении домой — всё добровольно и конфиденциально.
4. С согласия абонента направьте в приют или передайте в программу противодействия торговле людьми; с согласия абонента оформите сообщение о ситуации торговли людьми для компетентного органа.
5. Договоритесь о безопасном способе и времени обратного звонка.""",
    ),
    (
        "answer", ("employment-abroad", "trafficking"),
        "Working abroad safely",
        "Как безопасно работать за рубежом",
        """For Russian nationals going to work abroad.

## Before leaving
- Check the recruitment agency: its registration, its address, what others say about it. Be careful with agencies that exist only online or in a messenger.
- Get a written contract in a language you understand: the employer, the job, the hours, the pay, the housing, who pays the journey. Keep a copy.
- Travel on the right visa: a tourist or student visa does not give the right to work.
- Be wary of high pay for unskilled work ("waitress", "dancer", "model", "au pair") and of loans for the journey to be repaid from wages.
- Leave copies of your passport, the contract and the employer's address with relatives; agree on regular contact and a code word for danger.
- Note the address and contacts of the Russian embassy or consulate in the country.

## Abroad
- Never give your passport to the employer or an agent "for safekeeping".
- If things go wrong, contact the Russian consulate, the local police or an organisation that helps victims of trafficking. This hotline can advise from a distance.""",
        """Для граждан России, которые собираются работать за рубежом.

## До отъезда
- Проверьте кадровое агентство: регистрацию, адрес, отзывы. Будьте осторожны с агентствами, которые существуют только в интернете или в мессенджере.
- Получите письменный договор на понятном вам языке: работодатель, работа, часы, оплата, жильё, кто оплачивает дорогу. Сохраните копию.
- Выезжайте по правильной визе: туристическая или студенческая виза не даёт права работать.
- Насторожитесь, если за неквалифицированную работу («официантка», «танцовщица», «модель», «няня-au pair») обещают высокий заработок или предлагают оплатить дорогу в долг с погашением из зарплаты.
- Оставьте родственникам копии паспорта, договора и адрес работодателя; договоритесь о регулярной связи и о кодовом слове на случай опасности.
- Запишите адрес и контакты посольства или консульства России в стране пребывания.

## За рубежом
- Никогда не отдавайте паспорт работодателю или посреднику «на хранение».
- Если что-то пошло не так, обратитесь в консульство России, в местную полицию или в организацию, помогающую пострадавшим от торговли людьми. Горячая линия может проконсультировать и на расстоянии.""",
    ),
    (
        "answer", ("documents", "return-home"),
        "A lost or stolen passport (foreign nationals)",
        "Утерянный или украденный паспорт (иностранные граждане)",
        """- Report the loss or theft to the nearest police station and ask for a document confirming the report.
- Contact the embassy or consulate of your country: it issues a new passport or a certificate for return home. Bring any copy of the passport, the migration card or the patent you have.
- With the new document, restore the migration registration and, for a worker, go to the migration department so that the patent details can be updated.
- If the passport was taken by the employer or another person, it is not "lost": see "Unpaid wages, withheld passport".
- Refer to legal aid if the person's stay became irregular in the meantime.""",
        """- Заявите об утрате или краже в ближайший отдел полиции и попросите документ, подтверждающий обращение.
- Обратитесь в посольство или консульство своей страны: там выдают новый паспорт или свидетельство на возвращение. Возьмите с собой любые копии паспорта, миграционной карты или патента.
- С новым документом восстановите миграционный учёт, а работнику нужно обратиться в подразделение по вопросам миграции, чтобы обновить данные патента.
- Если паспорт забрал работодатель или другое лицо, он не «утерян»: см. «Невыплата зарплаты, изъятый паспорт».
- Если за это время пребывание стало незаконным, направьте за юридической помощью.""",
    ),
    (
        "answer", ("missing-relative", "trafficking"),
        "A relative missing abroad",
        "Родственник пропал за рубежом",
        """For families who have lost contact with someone who went abroad to work or study.

- Ask when and where the person was last in contact, who arranged the trip (an agency, an acquaintance), the employer's or agency's details, any address or number known.
- Report the disappearance to the police where the family lives: the report must be accepted at once; there is no need to wait several days.
- Contact the Russian embassy or consulate in the country, directly or through the Ministry of Foreign Affairs.
- If the details suggest deception or exploitation (passport taken, no pay, isolation), treat it as a possible trafficking situation: with the family's consent, the office can inform partner missions and organisations in the country of destination.
- Agree on regular contact with the family and record a follow-up.""",
        """Для семей, потерявших связь с человеком, уехавшим за рубеж на работу или учёбу.

- Уточните, когда и откуда человек последний раз выходил на связь, кто организовал поездку (агентство, знакомые), данные работодателя или агентства, известные адреса и телефоны.
- Заявите о пропаже в полицию по месту жительства семьи: заявление обязаны принять сразу, ждать несколько дней не нужно.
- Обратитесь в посольство или консульство России в этой стране — напрямую или через МИД России.
- Если есть признаки обмана или эксплуатации (отобран паспорт, нет оплаты, изоляция), рассматривайте ситуацию как возможную торговлю людьми: с согласия семьи офис может сообщить партнёрским представительствам и организациям в стране назначения.
- Договоритесь с семьёй о регулярной связи и запланируйте повторный контакт.""",
    ),
    (
        "answer", ("project",),
        "About the hotline",
        "О горячей линии",
        """What to tell a caller who asks who we are.

- The hotline and the information-consultation centres are run by the office's counter-trafficking project with partner organisations. They give free, confidential information on safe migration, on working in Russia and abroad, and on protection from trafficking.
- Callers need not give their name. We note what helps to count our work (for example nationality and topic) and nothing that identifies them unless they agree.
- We do not issue documents, find jobs or decide on residence: we explain procedures and refer to the authorities and organisations that can help.
- Leaflets in Russian, Tajik and Uzbek, posters and broadcasts give the hotline number; the centres also receive visitors during working hours.""",
        """Что ответить абоненту, который спрашивает, кто мы.

- Горячая линия и информационно-консультационные центры работают в рамках проекта офиса по противодействию торговле людьми вместе с организациями-партнёрами. Они бесплатно и конфиденциально информируют о безопасной миграции, о работе в России и за рубежом и о защите от торговли людьми.
- Абонент может не называть своего имени. Мы записываем то, что нужно для учёта нашей работы (например, гражданство и тему обращения), и ничего, что позволяет установить личность, без согласия абонента.
- Мы не выдаём документы, не трудоустраиваем и не принимаем решений о проживании: мы разъясняем порядок и направляем в органы и организации, которые могут помочь.
- Номер горячей линии указан в листовках на русском, таджикском и узбекском языках, на плакатах и в теле- и радиоэфире; в рабочие часы центры принимают и посетителей.""",
    ),
    (
        "guide", ("migration-law", "registration", "work-permits", "citizenship"),
        "Migration law: a guide for operators",
        "Миграционное законодательство: справочник оператора",
        """This guide sums up the rules callers ask about most. It is general: rules change, so check details with the migration department before quoting deadlines, fees or lists of documents.

## Entry and length of stay
- Foreign nationals from visa-free countries may stay up to 90 days in any 180 days, unless they obtain a patent, a permit or another legal ground to stay longer.
- The migration card, filled in at the border, states the purpose of the visit; it is kept until departure.

## Registration at the place of stay
- The receiving party notifies the migration authorities within seven working days of arrival (see "Migration registration at the place of stay").

## Work
- A patent (visa-free countries), a work permit (visa nationals), or an employment contract without a permit (citizens of the Eurasian Economic Union). See "Working legally".

## Staying longer
- Temporary residence permit: as a rule within a quota, for three years.
- Residence permit: for five years, and can be extended.
- Citizenship: general or simplified procedure (see "Russian citizenship: where to start").

## When the rules are broken
- Fines, expulsion, and a ban on re-entry for several years. Overstaying is among the most frequent reasons for a ban.
- A person who may be banned should get legal advice before leaving Russia.

## Where to send callers
- The regional migration department of the Ministry of Internal Affairs: documents and decisions.
- Multifunctional public service centres (MFC): some applications.
- Legal aid partners from the directory: disputes, refusals, bans.""",
        """Справочник кратко излагает правила, о которых абоненты спрашивают чаще всего. Он носит общий характер: правила меняются, поэтому сроки, размеры платежей и перечни документов уточняйте в подразделении по вопросам миграции.

## Въезд и срок пребывания
- Граждане безвизовых стран могут находиться в России до 90 суток в течение каждого периода в 180 суток, если не получили патент, разрешение или иное законное основание для более долгого пребывания.
- В миграционной карте, заполняемой на границе, указывается цель визита; карту хранят до выезда.

## Учёт по месту пребывания
- Принимающая сторона уведомляет миграционные органы в течение семи рабочих дней после прибытия (см. «Миграционный учёт по месту пребывания»).

## Работа
- Патент (безвизовые страны), разрешение на работу (визовые страны) или трудовой договор без разрешения (граждане Евразийского экономического союза). См. «Законная работа».

## Более долгое пребывание
- Разрешение на временное проживание: как правило, в пределах квоты, на три года.
- Вид на жительство: на пять лет с возможностью продления.
- Гражданство: общий или упрощённый порядок (см. «Гражданство России: с чего начать»).

## Последствия нарушений
- Штрафы, выдворение и запрет въезда на несколько лет. Превышение срока пребывания — одна из самых частых причин запрета.
- Человеку, которому может грозить запрет въезда, до выезда из России стоит получить юридическую консультацию.

## Куда направлять абонентов
- Региональное подразделение по вопросам миграции МВД России: документы и решения.
- МФЦ: приём некоторых заявлений.
- Юристы организаций-партнёров из справочника: споры, отказы, запреты въезда.""",
    ),
    (
        "guide", ("work-permits", "employer-violations", "migration-law"),
        "A guide for employers of foreign workers",
        "Памятка для работодателей иностранных работников",
        """For employers and their staff who call to hire foreign workers lawfully.

## Before hiring
- Check the worker's right to work: a patent valid in your region, a work permit, a temporary residence or residence permit, or citizenship of a Eurasian Economic Union country.
- Check that the job matches the permit (for work permits, the occupation and the region).

## The contract
- Conclude a written employment contract. Notify the migration authorities within three working days when a contract with a foreign worker is concluded and when it ends.
- Pay at least the regional minimum wage, in full and on time, with a payslip; pay the contributions the law requires.

## What an employer must never do
- Keep a worker's passport or other identity documents, even "for safekeeping".
- Tie wages to paying off debts for housing, food or travel; lock workers in or restrict their movement.

These are signs of forced labour and can be crimes (Criminal Code, articles 127.1 and 127.2).

## Fines
- Employing a foreign worker without the right to work, or not notifying the authorities, brings large fines for the organisation and its managers and can lead to the suspension of its activity.

## Supply chains
- Ask recruitment agencies and subcontractors how workers are recruited and paid; refuse agencies that charge workers recruitment fees.""",
        """Для работодателей и их сотрудников, которые обращаются, чтобы законно нанять иностранных работников.

## До приёма на работу
- Проверьте право работника на труд в России: патент, действующий в вашем регионе, разрешение на работу, разрешение на временное проживание или вид на жительство либо гражданство государства — члена Евразийского экономического союза.
- Проверьте, что работа соответствует разрешительному документу (для разрешения на работу — профессия и регион).

## Договор
- Заключите письменный трудовой договор. Уведомите миграционные органы о заключении и о расторжении договора с иностранным работником в течение трёх рабочих дней.
- Платите не ниже регионального минимального размера оплаты труда, полностью и в срок, с расчётным листком; уплачивайте взносы, предусмотренные законом.

## Чего работодатель не вправе делать никогда
- Удерживать паспорт или иные документы, удостоверяющие личность работника, даже «на хранение».
- Ставить выплату зарплаты в зависимость от погашения долгов за жильё, питание или дорогу; запирать работников или ограничивать их передвижение.

Это признаки принудительного труда, и они могут быть преступлением (статьи 127.1 и 127.2 Уголовного кодекса).

## Штрафы
- За привлечение иностранного работника без права на труд или за неуведомление органов грозят крупные штрафы организации и её руководителям, а также приостановление деятельности.

## Цепочки поставок
- Спрашивайте кадровые агентства и подрядчиков, как набирают работников и как им платят; отказывайтесь от агентств, берущих с работников плату за трудоустройство.""",
    ),
    (
        "guide", ("social-assistance", "trafficking"),
        "Social, medical and legal help: a guide",
        "Социальная, медицинская и юридическая помощь: справочник",
        """Where operators can send a caller who needs more than information. Look the organisation up in the partner directory: it lists services, whom each accepts, languages and free places.

## Medical care
- Emergency medical care is free for everyone in Russia, foreign nationals included: ambulance 103 or the emergency number 112.
- Russian nationals have planned care under their compulsory medical insurance; foreign workers under their voluntary medical insurance policy (required for a patent).
- HIV and tuberculosis testing and counselling: public specialised centres and NGO programmes.

## Social help
- Social protection departments and comprehensive social service centres of the region: for Russian nationals and, in some regions, others in crisis.
- Crisis centres and shelters for women and for victims of violence or trafficking, many run by NGOs: check whom they accept and their free places in the directory.

## Legal help
- State-guaranteed free legal aid for certain categories of Russian nationals (low-income families, persons with disabilities and others).
- University legal clinics, free consultations of bar associations, NGO lawyers for migrants.

## Psychological help
- Crisis lines and NGO psychologists; for victims of trafficking, the rehabilitation programme (escalate to a counter-trafficking case).

## Return home
- The assisted voluntary return and reintegration programme helps migrants who wish to go home and cannot do so alone.""",
        """Куда оператор может направить абонента, которому нужна не только информация. Найдите организацию в справочнике партнёров: там указаны услуги, кого принимает каждая из них, языки и свободные места.

## Медицинская помощь
- Экстренная медицинская помощь в России бесплатна для всех, в том числе для иностранных граждан: скорая помощь — 103 или номер экстренных служб 112.
- Плановую помощь граждане России получают по полису обязательного медицинского страхования, иностранные работники — по полису добровольного медицинского страхования (он нужен для патента).
- Тестирование и консультирование по ВИЧ и туберкулёзу: государственные специализированные центры и программы некоммерческих организаций.

## Социальная помощь
- Органы социальной защиты и комплексные центры социального обслуживания населения региона: для граждан России, а в некоторых регионах и для других людей в кризисной ситуации.
- Кризисные центры и приюты для женщин и для пострадавших от насилия или торговли людьми, многие из которых работают при НКО: кого они принимают и есть ли свободные места — смотрите в справочнике.

## Юридическая помощь
- Бесплатная юридическая помощь, гарантированная государством отдельным категориям граждан России (малоимущим семьям, людям с инвалидностью и другим).
- Юридические клиники вузов, бесплатные консультации адвокатских палат, юристы НКО, помогающих мигрантам.

## Психологическая помощь
- Кризисные линии и психологи НКО; для пострадавших от торговли людьми — программа реабилитации (передайте в программу противодействия торговле людьми).

## Возвращение домой
- Программа содействия добровольному возвращению и реинтеграции помогает мигрантам, которые хотят вернуться домой и не могут сделать это сами.""",
    ),
    (
        "guide", ("social-assistance", "other"),
        "Referring a caller: using the partner directory",
        "Как направить абонента: работа со справочником партнёров",
        """The partner directory is the office's directory of organisations working in migration and the prevention of trafficking: government bodies, law enforcement, health and social institutions, NGOs, international organisations, embassies and consulates.

## Finding the right service
1. Search by the kind of help (shelter, legal aid, medical care), the region and the language.
2. Check whom the service accepts (sex, age, nationality, kind of exploitation) and whether it has free places now.
3. For an urgent need, call the service's contact person before sending someone.

## Sharing information
- Pass on only what the service needs, and personal data only with the caller's consent, recorded in the consultation.
- Give the caller the service's address and hours; agree on a call-back to check that help was received.

## After the referral
- Record the referral in the consultation: its outcome comes back from the partner and is counted in the statistics.""",
        """Справочник партнёров — это справочник офиса об организациях, работающих в сфере миграции и предотвращения торговли людьми: органы власти, правоохранительные органы, учреждения здравоохранения и социальной защиты, НКО, международные организации, посольства и консульства.

## Как найти нужную услугу
1. Ищите по виду помощи (приют, юридическая помощь, медицинская помощь), региону и языку.
2. Проверьте, кого принимает служба (пол, возраст, гражданство, вид эксплуатации) и есть ли у неё сейчас свободные места.
3. При срочной необходимости позвоните контактному лицу службы, прежде чем направлять человека.

## Передача сведений
- Передавайте только то, что нужно службе, а персональные данные — только с согласия абонента, отмеченного в карточке консультации.
- Сообщите абоненту адрес и часы работы службы; договоритесь об обратном звонке, чтобы убедиться, что помощь получена.

## После направления
- Отметьте направление в карточке консультации: результат сообщит партнёр, и он войдёт в статистику.""",
    ),
]
