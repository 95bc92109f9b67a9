"""Every bound the APIs hold a value to, in one place: SMSC's documented ones, with their source,
and ours where SMSC documents none (listed in docs/smsc-wire.md, "Bounds of ours").

`facade.domain.rules` and `facade.domain.job_checks` apply them at the edge, before idempotency
and before any request; the command encoders (`facade.smsc`) check none of them again.
"""

import datetime as dt
import decimal
from typing import Final

# SMSC's own (reference/smsc-*.txt)

# smsc-jobs.txt, "mes": "The maximum size is 1000 characters." (templates' `msg` likewise).
MAX_MESSAGE_LENGTH: Final = 1000
# smsc-answers.txt, "hour": "Maximum number of hours - 168"; "cnt": "The maximum value is 10000."
MAX_ANSWER_HOURS: Final = 168
MAX_ANSWER_COUNT: Final = 10_000
# smsc-jobs.txt, "period": "from 0.1 to 720 hours"; "freq": "from 1 to 1440 minutes".
MIN_PERIOD_HOURS: Final = decimal.Decimal("0.1")
MAX_PERIOD_HOURS: Final = decimal.Decimal(720)
MIN_FREQUENCY_MINUTES: Final = 1
MAX_FREQUENCY_MINUTES: Final = 1440
# smsc-jobs.txt, "valid": "Range from 1 to 24 hours ... hh:mm ... from 00:01 to 24:00".
MIN_VALIDITY: Final = dt.timedelta(minutes=1)
MAX_VALIDITY: Final = dt.timedelta(hours=24)
# smsc-jobs.txt, "smsreq": "Range of values from 10 to 999."
MIN_CONFIRM_DAYS: Final = 10
MAX_CONFIRM_DAYS: Final = 999
# smsc-jobs.txt, "sender": "English letters, numbers, spaces, and some characters ... 11
# characters or 15 digits".
MAX_SENDER_NAME_LENGTH: Final = 11
MAX_SENDER_DIGITS: Final = 15
# smsc-jobs.txt, "param": w 0-99 s, i up to 3600 s (lower values are raised to 10), n 0-9.
MAX_CALL_WAIT: Final = 99
MAX_CALL_INTERVAL: Final = 3600
MAX_CALL_ATTEMPTS: Final = 9
# smsc-jobs.txt, "time" as `h1-h2`: hours of one day.
HOURS_PER_DAY: Final = 24

# Ours: SMSC documents no bound for these.

# `DDMMYYhhmm` names the year by two digits, so a moment SMSC is sent falls in one century;
# every date and moment the APIs take (sendTime, the job list's since and until) is held to it.
MOMENT_YEARS: Final = range(2000, 2100)
# A contact's birthday (`bd`, dd.mm.yyyy): people alive, or about to be born.
BIRTHDAY_YEARS: Final = range(1900, 2100)
# `tz`, hours from Moscow: the world's zones, UTC-12 (-15) to UTC+14 (+11).
MIN_TIME_ZONE: Final = -15
MAX_TIME_ZONE: Final = 11
# A phone: international format, which SMSC needs to route without guessing (ITU-T E.164 allows
# 15 digits; 10 leaves out the local numbers SMSC would have to guess the country of).
MIN_PHONE_DIGITS: Final = 10
MAX_PHONE_DIGITS: Final = 15
# SMSC ids (templates, jobs, groups, answers, download tasks) and cursor positions: 1-18 ASCII
# digits, so any of them fits a signed 64-bit integer (the emulator reads no more either).
MAX_ID_DIGITS: Final = 18
# A group's number (`num`, `G<number>` in jobs): the largest GraphQL Int, so REST takes what
# GraphQL can express and no more.
MAX_GROUP_NUMBER: Final = 2**31 - 1
# `rptn`: repetitions of a periodic job; hourly for more than a year.
MAX_REPEAT_COUNT: Final = 9999
# `time` as `+m`: minutes from now, up to a year (a later moment is `at`).
MAX_SEND_AFTER_MINUTES: Final = 366 * 24 * 60
# `get_all` between `start` and `end` (until today when `end` is absent): one year at most, so
# that one listing, which the facade caches whole, stays the size of a year of jobs.
MAX_JOB_LIST_DAYS: Final = 366
# Text fields, in characters (code points).
MAX_NAME_LENGTH: Final = 200  # names of jobs, templates, groups and contacts; with a job's
# 16-character marker (jobs.marked_name) still within a 255-character column
MAX_SUBJECT_LENGTH: Final = 200  # an MMS's or e-mail's subject
MAX_CLIENT_ID_LENGTH: Final = 100  # a contact's own id (`myid`)
MAX_TAG_LENGTH: Final = 100  # each of a contact's tags
MAX_COMMENT_LENGTH: Final = 1000  # comments of contacts and blacklist entries, as a message
MAX_SEARCH_LENGTH: Final = 100  # the contact list's `search`
MAX_URL_LENGTH: Final = 2000  # `fileurl`; the length above which SMSC's own libraries POST
# An e-mail address (a recipient; a contact's; a blacklisted one): RFC 5321's path limit,
# brackets aside.
MAX_EMAIL_LENGTH: Final = 254
MAX_CURSOR_LENGTH: Final = 200  # a page cursor; those the facade issues are under 100
# A single message's recipients (send.php `phones`): more is a mailing (jobs.php), and a status
# request for each of them (status.php, 100 a request) stays one request.
MAX_MESSAGE_RECIPIENTS: Final = 100
# `maxsms`: parts a message may be cut to; a 1,000-character text in UCS-2 takes 15.
MAX_MESSAGE_PARTS: Final = 15
