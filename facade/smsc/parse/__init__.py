"""Parsers: one module per endpoint area, each reading fmt 0-3 bodies into domain objects.

Every module declares its fields (`fields.Field`: name, shape, may it be empty or left out) and
its domain conversion; `records.py` reads all four formats from that spec (fmt 2 and 3 by
element or key name in `keyed.py`). Anything that does not
read raises UpstreamProtocolError; an error envelope raises its SmscError (`facade.smsc.codes`).

## How fmt 0 and fmt 1 are read, and what they leave ambiguous

SMSC escapes nothing in fmt 0 and 1 (docs/smsc-wire.md, "Lists"; smsc-api-notes.md §5): free text
keeps its commas and new lines. The rules, the same for every command:

- **R1 records.** One record a line; a line starts a record only if it begins the way a record
  begins (below: the fields before the first free-text one, each of its shape). Any other line
  continues the previous record's last free-text value, its new line kept.
- **R2 fmt 0.** Each value ends at the first `, <next label> = ` after which the rest of the
  record reads with every field of its shape.
- **R3 fmt 1.** Fields are recovered by shape: a fixed-shape field (id, number, status, date,
  phone, template format, sender) is one comma-free piece; a multi-valued shaped field (a
  contact's phones, group ids, other phones) takes as many pieces of its shape as it can; free
  text takes the fewest pieces after which the rest of the record reads; the last field takes
  everything left. The first reading found in that order wins.
- **R4 ends.** Trailing new lines of the body end the last record: its last value loses them.

| command | record start, fmt 0 / fmt 1 | fmt 0: may be mis-split | fmt 1: may be mis-split, and how |
|---|---|---|---|
| templates `get` | `id = N, name = ` / `N,` | `name` containing `, format = <word>, sender = `; `sender` containing `, flag = N, message = ` | `name` containing `,<format>,<piece>,<digits>,` is cut there (the rest goes to `message`); formats are first sought among the known ones (`sms`, `flash`, ...), and only if no reading exists is any word taken as an unknown format |
| jobs `get`, `get_all` | `id = N, name = ` / `N,` | `name` containing `, status = N, created = ` | `name` containing `,<digits>,<moment or empty>,<moment or empty>,<digits or empty>,` |
| downloads `get_list` | `id = N, name = ` / `N,` | `name` containing `, status = N, created = ` | `name` containing `,<digits>,<moment or empty>,<moment or empty>,` |
| phones `get_group` | `id = N, name = ` / `N,` | never (only fixed-shape fields follow `name`) | never, for the same reason |
| phones `get_black` | `id = N, phone = P, type = N, comment = ` / `N,P,N,` (`email = E` / `E` in place of `P` on the e-mail list) | never (`comment` is last) | never |
| get `get_answers` | `id = N, received = D, phone = P, message = ` / `N,D,P,P?,D?,` | never (only fixed-shape fields follow `message`) | never (`message` is last) |
| phones `get` (contacts) | `phone = P, name = ` or `mail = E, name = ` / `P,` or `E,` | any free-text field containing the next field's `, <label> = ` | see below |
| status (`all=2`, `parse/statuses.py`) | `id = <next id asked>, phone = <its phone>, ` / `<next id asked>,<its phone>,` | a country, operator, region, sender or status name containing the next field's `, <label> = ` | a country, operator, region, sender or status name holding a comma shifts the fields after it (the record then does not read, unless the shifted values fit their shapes) |

Contacts in fmt 1 hold six adjacent free-text fields: what R3 mis-reads there is listed in
`parse/contacts.py`.

status.php's records start at the next message asked, not at any line shaped like a record, so
in fmt 0/1 every line after the last message asked is part of that message's text (a record SMSC
added beyond those asked is not noticed there; fmt 2/3 count them).

Everywhere in fmt 0/1, a line inside free text that itself begins like a record start (R1) is
read as a new record: `10,000 rubles` on a new line of a fmt 1 template message starts a
record that then fails to read (UpstreamProtocolError), as does `ann@example.com, call her` on
a new line of a fmt 1 contact's comment. Prefer fmt 3: it has none of this.
"""
