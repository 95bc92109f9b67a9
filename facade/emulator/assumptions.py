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
  `psw`); identical requests → 9; concurrency → 9; then the command. Every request that reaches
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

# -- Control. ---------------------------------------------------------------------------------
CALL_LOG_SIZE: Final = 10_000

# -- Faults. -------------------------------------------------------------------------------------
HANG_SECONDS: Final = 365 * 24 * 3600.0
DEFAULT_FAULT_STATUS: Final = 502
