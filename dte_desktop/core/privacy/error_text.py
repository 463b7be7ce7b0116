"""The privacy gate's rule for error text: a database's or converter's message never carries
a data value out of the process (it goes to the terminal, the job history, logs and the
GUI). Servers quote the offending value — PostgreSQL ``invalid input syntax for type
integer: "MARY.SMITH@…"``, MySQL ``Incorrect integer value: 'x' for column …``, Arrow
``invalid value 'x'`` — and those quotes are emptied; quoted identifiers (``column "x" does
not exist``) stay, so the message still says what went wrong."""

from __future__ import annotations

import re

WITHHELD = "…"
# A value named as one: value/entry/input followed by a quoted literal.
_NAMED = re.compile(r"""(\b(?:value|entry|input)s?:?\s*)(["'])((?:\\.|(?!\2).|\2\2)*)\2""", re.I)
# PostgreSQL's "…: "literal"" at the end of a data-exception message.
_AFTER_COLON = re.compile(r'(:\s+)"((?:[^"]|"")*)"')


def withhold_values(text: str) -> str:
    """``text`` with every quoted data value replaced by ``…``."""
    text = _NAMED.sub(lambda m: f"{m.group(1)}{m.group(2)}{WITHHELD}{m.group(2)}", text)
    return _AFTER_COLON.sub(lambda m: f'{m.group(1)}"{WITHHELD}"', text)
