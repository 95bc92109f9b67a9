# ruff: noqa: RUF001 - the demo data is Russian text on purpose; Cyrillic letters are not typos.
"""Demo data (`seed="demo"`): a little of everything, with text that breaks naive parsers.

Cyrillic, commas, double quotes, new lines, `<&>` and emoji appear in names, messages, comments
and tags. So that fmt 0 and 1 stay recoverable (docs/smsc-wire.md, "What fmt 0 and 1 leave
ambiguous"), the data keeps to these rules:
- a new line in free text is never followed by a digit run and a comma, nor by `<label> = `;
- free text never holds a label of its own record (`, name = `, `, format = `, ...);
- a comma inside free text is always followed by a space, while list fields (phones, groups,
  tags, other phones) are comma-joined without spaces (so a tag never starts with a space);
- a contact's free text other than its name holds no comma at all, and a comma in its name is
  never followed by digits: fmt 1 puts six free-text fields side by side, and there nothing but
  the name can hold a comma and still be placed (facade/smsc/parse/__init__.py lists the cases);
- no free text and no tag holds an "@": fmt 1 tells an e-mail contact's addresses by it.
Times are relative to the emulator's clock at seeding, so the data always looks recent.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any, Final

from facade.emulator import answers, blacklist, contacts, downloads, groups, jobs, templates
from facade.emulator.records import (
    Answer,
    BlacklistEntry,
    Contact,
    DownloadTask,
    Group,
    Job,
    Template,
)

if TYPE_CHECKING:
    from facade.emulator.records import AccountData

SEEDS: Final = ("demo", "empty")
HOUR: Final = 3600.0
DAY: Final = 24 * HOUR

_TEMPLATES: Final = (
    (
        "Напоминание о записи",
        "Здравствуйте, {name}! Напоминаем о записи на {date} в {time}.\n"
        "Ответьте «Да», чтобы подтвердить.",
        "sms",
        "Clinic",
        0,
    ),
    ("Подпись", "— Команда «Ромашка» 🌼", "", "", 1),
    (
        'Promo, "Black Friday"',
        "Скидки до 50% <только сегодня> & завтра: https://example.com/sale?a=1&b=2",
        "viber",
        "Shop",
        0,
    ),
    ("Код подтверждения", "Ваш код: {code}. Никому его не сообщайте.", "flash", "Bank", 0),
)

# (name, number)
_GROUPS: Final = (
    ("Клиенты VIP", 100),
    ("Сотрудники, офис «Север»", 200),
    ("Рассылка <&> тест", None),
    ("Пустая группа", 300),
)

# (phones, name, group indexes, first, last, middle, birthday, myid, comment, tags, other phones)
_CONTACTS: Final[tuple[tuple[Any, ...], ...]] = (
    (
        ["79161234567", "79261234567"],
        "Иванов Иван",
        (0, 1),
        ("Иван", "Иванов", "Иванович"),
        "15.05.1985",
        "crm-1",
        'Постоянный клиент; любит "скидки" & <акции>',
        ["vip", "постоянный клиент"],
        ["74951234567"],
    ),
    (
        ["79031112233"],
        "Anna O'Neil",
        (0,),
        ("Anna", "O'Neil", ""),
        "",
        "",
        "Звонить после 18:00\nлучше в WhatsApp 📱",
        ["en"],
        [],
    ),
    (
        ["79997654321"],
        "ООО «Рога & Копыта» <опт>",
        (1,),
        ("", "", ""),
        "",
        "crm-3",
        "Контакт: бухгалтерия",
        [],
        ["74950000001", "74950000002"],
    ),
    (["79050001122"], "Пётр", (), ("Пётр", "", ""), "29.02.1992", "crm-4", "", ["новый"], []),
    (
        ["79181112233"],
        "Emoji 😀 Test",
        (1, 2),
        ("", "", ""),
        "",
        "",
        'Комментарий с кавычками "так" и <тегом> 😀',
        ["a&b", "тест"],
        [],
    ),
    (
        ["79201234567"],
        "Смирнова, Ольга",
        (0,),
        ("Ольга", "Смирнова", "Петровна"),
        "01.01.1970",
        "crm-6",
        "Первая строка\nи вторая строка",
        ["vip"],
        [],
    ),
)

# (phone, type, comment)
_BLACKLIST: Final = (
    ("79990000001", 0, "Жалоба, просил не писать"),
    ("79990000002", 1, "Только рассылки <promo> & акции"),
    ("79990000003", 2, ""),
)

# E-mail groups (`type=1`), after the phone groups: (name, number)
_EMAIL_GROUPS: Final = (("Подписчики, e-mail «Новости»", 800),)
# E-mail contacts, after the phone ones (docs/smsc-wire.md, "phones.php get=1" [A]): (e-mail
# addresses, name, e-mail group indexes, first, last, middle, birthday, myid, comment, tags,
# other e-mail addresses)
_EMAIL_CONTACTS: Final[tuple[tuple[Any, ...], ...]] = (
    (
        ["maria.sidorova@example.com", "m.sidorova@example.org"],
        "Сидорова Мария",
        (0,),
        ("Мария", "Сидорова", "Олеговна"),
        "12.03.1988",
        "crm-7",
        "Подписана на «Новости» & <акции>",
        ["newsletter", "vip"],
        ["maria@home.example"],
    ),
    (
        ["anna.o'neil@example.co.uk"],
        "O'Neil, Anna",
        (0,),
        ("Anna", "O'Neil", ""),
        "",
        "",
        'Пишет по-английски\nлучше "утром" 😀',
        ["en"],
        [],
    ),
)
# The e-mail blacklist: (address, type, comment)
_EMAIL_BLACKLIST: Final = (("no-spam@example.net", 0, "Отписался, <жалоба> & просил не писать"),)

# (days ago, name, status, send time relative to now in days or None, recipients, message)
_JOBS: Final = (
    (95, "Летняя распродажа", 2, None, 120, "Скидки до 30% на всё!"),
    (80, "Опрос, июнь", 2, None, 45, "Оцените нас: ответьте от 1 до 5"),
    (55, "Напоминание «Запись»", 2, None, 3, "Здравствуйте! Ваша запись завтра в 10:00."),
    (50, "Promo <A&B>", 4, None, 10, "Test & check <b>"),
    (45, "Новости, выпуск 1", 2, None, 230, "Новости компании\nподробнее на сайте"),
    (40, 'Black "Friday"', 3, -39, 500, "Только сегодня, скидки 🔥"),
    (30, "Рассылка для сотрудников", 2, None, 12, "Собрание в пятницу, в 15:00"),
    (20, "День рождения 🎂", 2, None, 1, "С днём рождения! 🎉"),
    (14, "Акция выходного дня", 2, None, 300, "Выходные, скидка 10%"),
    (7, "Опрос, июль", 2, None, 44, 'Ответьте "1", если всё понравилось'),
    (3, "Еженедельная сводка", 1, None, 150, "Сводка за неделю: всё хорошо"),
    (1, "Вечерняя рассылка", 0, 1, 80, "Добрый вечер! Новое меню уже на сайте"),
    (0, "Завтрашнее напоминание", 0, 2, 2, "Напоминаем: завтра, в 9:00"),
)

# (hours ago, phone, to_phone, message)
_ANSWERS: Final = (
    (100, "79161234567", "79370000001", "Да"),
    (50, "79031112233", "79370000002", 'Нет, спасибо. "Отпишите" меня'),
    (30, "79997654321", "79370000001", "Подтверждаю <запись> & время"),
    (20, "79050001122", "79370000001", "Перезвоните мне\nпожалуйста 🙏"),
    (2, "79181112233", "79370000002", "STOP"),
    (1 / 6, "79201234567", "79370000001", "Спасибо, до встречи!"),
)

# (days ago, name, status, file)
_DOWNLOADS: Final = (
    (10, "Отчёт за май", 2, "report_71.csv"),
    (6, "Выгрузка, неделя 27", 2, "export_72.csv"),
    (2, "Все сообщения <&>", 1, ""),
    (1, "Выгрузка за год", 0, ""),
    (5, "Старый отчёт", 3, ""),
    (4, "Отчёт с ошибкой", 4, ""),
)
_CSV_HEADER: Final = ("id", "phone", "message", "sent", "status")
_CSV_ROWS: Final = (
    ("1", "79161234567", "Здравствуйте, Иван!", "01.06.2025 10:00:00", "delivered"),
    ("2", "79031112233", 'Скидка "10%" <сегодня> & завтра', "01.06.2025 10:00:01", "delivered"),
    ("3", "79181112233", "Две строки:\nвторая 😀", "01.06.2025 10:00:02", "failed"),
)


def sent_messages_csv() -> str:
    """A completed task's file: sent messages, `;`-separated, CRLF, quoted where needed [A]."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(_CSV_HEADER)
    writer.writerows(_CSV_ROWS)
    return out.getvalue()


def _seed_phonebook(data: AccountData) -> None:
    group_ids = _seed_groups(data, _GROUPS, group_type=0)
    email_group_ids = _seed_groups(data, _EMAIL_GROUPS, group_type=1)
    for phones, name, member_of, names, birthday, myid, comment, tags, other in _CONTACTS:
        contact = Contact(
            id=data.next_id("contact", start=contacts.FIRST_ID),
            phones=list(phones),
            name=name,
            groups={group_ids[index] for index in member_of},
            first_name=names[0],
            last_name=names[1],
            middle_name=names[2],
            birthday=birthday,
            client_id=myid,
            comment=comment,
            tags=list(tags),
            other_phones=list(other),
        )
        data.contacts[contact.id] = contact
    for emails, name, member_of, names, birthday, myid, comment, tags, other in _EMAIL_CONTACTS:
        contact = Contact(
            id=data.next_id("contact", start=contacts.FIRST_ID),
            phones=[],
            emails=list(emails),
            name=name,
            groups={email_group_ids[index] for index in member_of},
            first_name=names[0],
            last_name=names[1],
            middle_name=names[2],
            birthday=birthday,
            client_id=myid,
            comment=comment,
            tags=list(tags),
            other_emails=list(other),
        )
        data.contacts[contact.id] = contact
    for phone, block_type, comment in _BLACKLIST:
        entry_id = data.next_id("black", start=blacklist.FIRST_ID)
        data.blacklist[entry_id] = BlacklistEntry(entry_id, phone, block_type, comment)
    for email, block_type, comment in _EMAIL_BLACKLIST:
        entry_id = data.next_id("black", start=blacklist.FIRST_ID)
        data.email_blacklist[entry_id] = BlacklistEntry(entry_id, email, block_type, comment)


def _seed_groups(
    data: AccountData, seeded: tuple[tuple[str, int | None], ...], *, group_type: int
) -> list[int]:
    group_ids = []
    for name, number in seeded:
        group_id = data.next_id("group", start=groups.FIRST_ID)
        data.groups[group_id] = Group(id=group_id, name=name, number=number, type=group_type)
        group_ids.append(group_id)
    return group_ids


def _seed_messages(data: AccountData, now: float) -> None:
    for name, message, format_, sender, flag in _TEMPLATES:
        template_id = data.next_id("template", start=templates.FIRST_ID)
        data.templates[template_id] = Template(template_id, name, message, format_, sender, flag)
    for days_ago, name, status, send_in, cnt, message in _JOBS:
        created = now - days_ago * DAY - HOUR
        job_id = data.next_id("job", start=jobs.FIRST_ID)
        send_time = None if send_in is None else now + send_in * DAY
        data.jobs[job_id] = Job(job_id, name, status, created, message, cnt, send_time)
    for hours_ago, phone, to_phone, message in _ANSWERS:
        received = now - hours_ago * HOUR
        answer_id = data.next_id("answer", start=answers.FIRST_ID)
        data.answers[answer_id] = Answer(
            answer_id, received, phone, message, to_phone, received - 5
        )
    for days_ago, name, status, file in _DOWNLOADS:
        created = now - days_ago * DAY
        started = None if status == 0 else created + 60
        task_id = data.next_id("download", start=downloads.FIRST_ID)
        content = sent_messages_csv() if file else ""
        data.downloads[task_id] = DownloadTask(
            task_id, name, status, created, started, file, content
        )


def seed_account(data: AccountData, seed: str, now: float) -> None:
    """Fill `data` with the named seed: `demo` data or `empty` (nothing)."""
    if seed not in SEEDS:
        raise ValueError(f"unknown seed {seed!r}, expected one of {SEEDS}")
    if seed == "demo":
        _seed_phonebook(data)
        _seed_messages(data, now)
