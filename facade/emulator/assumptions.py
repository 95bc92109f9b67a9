"""Every rule the emulator follows where SMSC's pages and docs/smsc-wire.md are silent, in one place.

Each constant below is one assumption; change it here and the whole emulator follows. Rules that
are not a single value are listed here and implemented where named.

Requests (`facade.emulator.params`, `facade.emulator.app`)
- A command flag counts when its value is neither empty nor `0` (PHP's `empty()`); `move_group`
  takes 1, 2 or 3. Exactly one flag per request, else error 1.
- Query string and urlencoded POST body are merged; the body wins on a repeated name (PHP's
  `request_order = "GP"`). A POST body of another content type (e.g. multipart) is ignored.
- `charset` is matched after lower-casing, `fmt` exactly (`0`-`3`); an empty value means the
  default. Raw non-ASCII bytes are decoded like percent-encoded ones; undecodable bytes become
  U+FFFD. Ids and numbers are plain ASCII digit runs of at most 18 digits, else error 1.
- Order of checks: a blocked address → 4 (answered in fmt 0 if fmt itself is bad); bad fmt or
  charset → 1; credentials → 2 (missing ones too; `apikey`, when given, wins over `login` +
  `psw`); identical requests → 9; a per-login rate (balance.php) → 9; concurrency → 9; then
  the command. Every request that reaches
  SMSC counts towards the identical-request window, whatever its answer, refused ones included.
- Only a successful authentication takes a concurrency slot; error 2 counts towards the address
  block whatever the address sent.

Faults (`facade.emulator.faults`): `status` and `reset` faults act before SMSC sees the request
(no data, no limits touched); `latency` and `hang` delay every answer after the checks, so an
admitted request holds its concurrency slot while it waits; `reset_after` and `latency_after`
act once the command has run (and the call is logged): its effect stays, the answer is dropped or
delayed. The first matching fault applies.

Control (`facade.emulator.control`): `reset` also clears the faults; the call log keeps the last
`CALL_LOG_SIZE` calls and records the fmt the answer was written in.

Data (`facade.emulator.state`, `facade.emulator.seed`): each login has its own data; the seed
fills the first account only. Ids are per account and never reused.

Commands (`facade.emulator.<endpoint module>`):
- Lists are ascending by id, except jobs `get_all` (newest first, as its page says).
- templates: `name` and `msg` are required on add; `fl[N]` takes 0 or 1 for any N in 1..31; on
  chg, a parameter given empty (`name`, `msg`) is error 1, an absent one is kept.
- jobs: `hlr=1` and `ping=1` need no `mes`; `mes` and `tpl` together are error 1; an unknown `tpl`
  is 3 `record not found`; `G<number>` in `phones` counts the group's contacts; a `list` job's
  message is its first line's; a job with a future send time starts `waiting`, any other `done`;
  `cancel` of a job that is not waiting is 3 `save error`; `del` deletes in any status. `time`
  of exactly 10 digits is DDMMYYhhmm, `0<digits>` otherwise a Unix timestamp, `+m` must come
  percent-encoded (a raw `+` decodes to a space: error 5); `tz` (hours relative to Moscow,
  default 0) applies to the first two forms. `cost` = recipients x SMS parts x `PRICE_PER_SMS`.
  Documented option values outside their documented range are error 1; phones are not checked.
- phones: phones are digit runs with an optional leading `+` (stored without it), split on commas,
  semicolons and white space; any of its phones finds a contact; `myid` is shown as the contact's
  `id`; `after_id` pages by the internal id; an unknown group in `grp` is 3; a duplicate contact
  phone, a duplicate blacklist phone, a duplicate group number or a name of only spaces is 5;
  deleting a group takes it off its contacts. `fio` and `lmt` are not supported (ignored).
- e-mail contacts (docs/smsc-wire.md, "phones.php get=1"): `mail` in place of `phone` on `add`,
  `chg`, `del` and `move_group`, `new_mail` in place of `new_phone`, `mail_other` in place of
  `pho`; an address is text with one `@` and something on both sides, no white space and no
  separator, split and deduplicated like phones and stored as given (compared case-sensitively).
  A request naming both `phone` and `mail`, or neither, is 1; so is a change of the other kind
  (`new_phone` or `pho` for an e-mail contact, `new_mail` or `mail_other` for a phone one); an
  address another contact holds is 5. A group's `type` is kept but not enforced: a contact of
  either kind may join a group of either type. `get` lists both kinds; `search` also looks in
  e-mail addresses.
- the e-mail blacklist: `add_black` and `del_black` with `mail=<one address>` in place of
  `phone`, `get_black` with `mail` set (not empty nor `0`) lists it, its records say `email`; it
  shares the blacklist's ids; both `phone` and `mail` (or neither) is 1, an address already on
  it is 5.
- get.php: `after_id` and `hour` both apply; `to_phone` matches with or without a leading `+`.
- downloads: `get_file&name=` matches the task name or its file name; the file is `;`-separated
  CSV with CRLF line ends.

Messages (`facade.emulator.messages`, `statuses`, `balance`, `deliveries`, `pricing`,
`callbacks`; docs/smsc-wire.md "Messages" is the layout, docs/smsc-wire.md "Emulator: messages"
the conventions):
- send.php has no command flag: `cost=1` is the command `cost`, any other request `send` (the
  names the call log and faults use); status.php's command is `status`, balance.php's `balance`.
- send: `phones` splits on `,` and `;` (white space trimmed); `G<number>` expands to the phones
  of the group with that number; a recipient named twice is sent once. A phone is 10-15 digits
  after an optional `+` (stored without it); with `mail=1` a recipient is an e-mail address, with
  `tg=1` also `@name` or `#id`. Anything else is an invalid number (error 7 when no recipient is
  left; else refused, status 22 err 249). `mes` is required (not with `hlr`/`ping`), at most
  1000 characters; `sender` at most 11 characters or 15 digits; at most one channel flag; `id`
  1-40 of `[A-Za-z0-9._-]`; `list` is not supported (error 1); `op`, `tinyurl`, `valid`,
  `period`, `freq`, `subj`, `fileurl`, `bot`, `voice`, `param` are checked, not acted on.
  Checks in order: 1 (parameters), 5 (`time`), 6 (`SPAM_MARKER` in the text or sender), 7/8
  (recipients), 3 (money: balance + credit below the cost); 3, 6, 7, 8 carry the id, which is
  taken (or allocated) before them; a refused send stores nothing and charges nothing.
- ids: a send without `id` gets the account's next number (`FIRST_MESSAGE_ID` up); ids are not
  unique: a later send with the same id and phone replaces the earlier record. An id of digits
  only (no leading zero, at most 2147483647) is a JSON number, any other a string.
- parts (`facade.emulator.pricing`): GSM-7 text (extension characters count 2) 160 for one part,
  153 a part beyond; any other text UCS-2 (UTF-16 units) 70 and 67. `translit` counts the text as
  GSM-7 of the same length. `maxsms` truncates the text to fit. Non-text channels count 1 a
  recipient. `cnt` = parts x accepted recipients; cost = `cnt` x `PRICES[channel]`.
- cost=1 checks what a send checks but money, allocates no id and carries none on its errors.
- status (`facade.emulator.deliveries`): a message is WAITING (-1) until its `time`, handed to the
  operator (0) then, `DELIVERY_SECONDS` later, its final status (`TEST_NUMBERS`, else 1); a
  refused recipient is 22 or 25 at once. `send_date` is when SMSC accepted it; `last_date` the
  last change. Country, operator and region come from `deliveries.NUMBER_INFO` by prefix.
- status.php: the multiple form (a `,` in `id` or `phone`) needs as many phones as ids, at most
  `MAX_STATUS_PAIRS`; a trailing comma ends a list; a malformed item or `del=1` (not supported)
  is error 1 for the whole request (no per-item errors). A record writes the id and phone as
  asked (`+` kept). An unknown pair is status -3 with only `id`, `phone`, `status`, `last_date`,
  `last_timestamp` (as far as its fmt's layout has them; the single form without `id`, `phone`),
  `last_date` the moment of the check. `err` is written always, except in the single form's
  fmt 3 where 0 is left out (as recorded). The fourth identical request a minute is error 9.
- limits: identical requests allowed a minute by command (`IDENTICAL_ALLOWED_PER_COMMAND`);
  balance.php takes `BALANCE_PER_MINUTE` requests a minute per login, identical or not.
- balance: every account starts with `DEFAULT_BALANCE` in `CURRENCY`, whatever the seed.
- callbacks: see `facade.emulator.callbacks` (fields, checksum, retries).
"""

from typing import Final

# -- Errors: (code, description). docs/smsc-wire.md "Error envelopes". -------------------------
PARAMETERS_ERROR: Final = (1, "parameters error")
AUTHORISE_ERROR: Final = (2, "authorise error")
RECORD_NOT_FOUND: Final = (3, "record not found")
NO_RECORDS_FOUND: Final = (3, "no records found")
JOB_SAVE_ERROR: Final = (3, "save error")
IP_BLOCKED: Final = (4, "ip is temporarily blocked")
SAVE_ERROR: Final = (5, "save error")
INVALID_DATE: Final = (5, "invalid date format")
DUPLICATE_REQUEST: Final = (9, "duplicate request, wait a minute")
TOO_MANY_CONCURRENT: Final = (9, "too many concurrent requests")
INTERNAL_ERROR: Final = PARAMETERS_ERROR  # an unexpected exception: never an HTTP 500

# -- Charsets and formats. ----------------------------------------------------------------------
DEFAULT_CHARSET: Final = "windows-1251"
CHARSETS: Final = ("windows-1251", "utf-8", "koi8-r")
# Recorded in 2016 for utf-8 bodies too; parsers decode by the charset they asked for.
HEADER_CHARSET: Final = "windows-1251"
MEDIA_TYPES: Final = {0: "text/plain", 1: "text/plain", 2: "text/xml", 3: "application/json"}
CSV_MEDIA_TYPE: Final = "text/csv"

# -- Limits (docs/smsc-wire.md, code 9 and 4). -------------------------------------------------
IDENTICAL_WINDOW_SECONDS: Final = 60.0
IDENTICAL_ALLOWED: Final = 3
IDENTICAL_ALLOWED_PER_ENDPOINT: Final = {"jobs.php": 1}
# send.php: one identical send, five identical cost requests a minute (smsc-messages-notes.md §7);
# balance.php is held by its own per-login limit instead.
IDENTICAL_ALLOWED_PER_COMMAND: Final = {
    ("send.php", "send"): 1,
    ("send.php", "cost"): 5,
    ("balance.php", "balance"): 10,
}
BALANCE_PER_MINUTE: Final = 10
CONCURRENT_ALLOWED: Final = 14
AUTH_FAILURES_ALLOWED: Final = 5
AUTH_FAILURE_WINDOW_SECONDS: Final = 30 * 60.0
BLOCK_SECONDS: Final = 30 * 60.0
UNKNOWN_CLIENT: Final = "unknown"

# -- Defaults of list parameters. ----------------------------------------------------------------
ANSWERS_DEFAULT_HOURS: Final = 24
ANSWERS_MAX_HOURS: Final = 168
ANSWERS_DEFAULT_COUNT: Final = 10000
ANSWERS_MAX_COUNT: Final = 10000
JOBS_DEFAULT_MONTHS: Final = 2
JOBS_DEFAULT_LIMIT: Final = 10
MAX_DIGITS: Final = 18

# -- Jobs. ---------------------------------------------------------------------------------------
PRICE_PER_SMS: Final = 1.40
JOB_WAITING: Final = 0
JOB_DONE: Final = 2
JOB_CANCELLED: Final = 3
MAX_FLAG_BIT: Final = 31

# -- Messages (send.php, status.php, balance.php). --------------------------------------------
NO_MONEY: Final = (3, "no money")
MESSAGE_DENIED: Final = (6, "message is denied")
INVALID_NUMBER: Final = (7, "invalid number")
CANNOT_DELIVER: Final = (8, "can't to deliver")
# An emulator convention, not SMSC's: a text or sender holding this is denied (error 6).
SPAM_MARKER: Final = "SPAM-DENIED"
FIRST_MESSAGE_ID: Final = 8001
MAX_MESSAGE_ID: Final = 2_147_483_647
MAX_MESSAGE_LENGTH: Final = 1000
MAX_STATUS_PAIRS: Final = 100
DEFAULT_BALANCE: Final = "1500.00"
CURRENCY: Final = "RUR"
DEFAULT_SENDER: Final = "SMSC.RU"
DELIVERY_SECONDS: Final = 5.0
# Price of one part (a text channel) or one message (any other), RUB, by channel flag.
PRICES: Final = {
    "sms": "2.50",
    "flash": "2.50",
    "push": "2.50",
    "bin": "2.50",
    "viber": "1.50",
    "whatsapp": "1.20",
    "tg": "1.00",
    "soc": "1.00",
    "mms": "10.00",
    "mail": "0.30",
    "call": "3.00",
    "hlr": "0.50",
    "ping": "0.20",
}
TEXT_CHANNELS: Final = ("sms", "flash", "push", "bin")
# Test numbers: `799900003` + SS. (status, err) steps after 0 (handed to the operator), each
# `DELIVERY_SECONDS` after the one before; any other number is delivered (1, err 0).
TEST_NUMBER_PREFIX: Final = "799900003"
TEST_NUMBERS: Final[dict[str, tuple[tuple[int, int], ...]]] = {
    "03": ((3, 6),),  # expired: the subscriber was offline
    "04": ((1, 0), (4, 0)),  # delivered, then its link clicked
    "20": ((20, 1),),  # undeliverable: the subscriber does not exist
    "22": ((22, 249),),  # invalid number: wrong number format
    "23": ((23, 252),),  # prohibited: number prohibited
    "24": ((24, 0),),  # no money
    "25": ((25, 248),),  # unavailable number: no route
}
# Refused at send as "cannot deliver" (error 8; listed as status 25 err 248 with `err=1`).
UNDELIVERABLE_TEST_NUMBER: Final = TEST_NUMBER_PREFIX + "08"
REFUSED_INVALID: Final = (22, 249)
REFUSED_UNDELIVERABLE: Final = (25, 248)

# -- Callbacks (facade.emulator.callbacks). ------------------------------------------------------
# Seconds after a failed attempt before the next one; then the callback is dropped.
CALLBACK_RETRY_DELAYS: Final = (5.0, 30.0, 120.0)
CALLBACK_TIMEOUT_SECONDS: Final = 10.0
CALLBACK_TICK_SECONDS: Final = 1.0
CALLBACK_LOG_SIZE: Final = 1000
CALLBACK_DEFAULT_CHARSET: Final = "windows-1251"

# -- Control. ---------------------------------------------------------------------------------
CALL_LOG_SIZE: Final = 10_000

# -- Faults. -------------------------------------------------------------------------------------
HANG_SECONDS: Final = 365 * 24 * 3600.0
DEFAULT_FAULT_STATUS: Final = 502
