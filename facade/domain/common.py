"""What every aggregate shares: Moscow time.

The domain's enums are `enum.StrEnum`s whose values are their members' names, the words both
APIs show; SMSC's codes for them live in `facade.smsc.enums`, one table per enum. An enum with an
`UNKNOWN` member reads any code SMSC adds later, and the record that holds it keeps the raw code
beside it (`status_raw`, `format_raw`, ...), so nothing SMSC said is lost.
"""

import datetime as dt

# Moscow has kept UTC+3 all year since 26 October 2014; a fixed offset needs no tz database.
MOSCOW = dt.timezone(dt.timedelta(hours=3), "MSK")
