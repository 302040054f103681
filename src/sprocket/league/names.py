"""When two member names are the same name: compared without case, width or spacing."""

from __future__ import annotations

import unicodedata

#: The longest comparison key stored (``members.name_key``).
MAX_KEY = 255


def member_name_key(name: str) -> str:
    """The form under which ``name`` must be unique in an organization.

    ``name``: a display name. Returns it NFKC-normalized (so full-width 'Ｄｅｅｖｏ' is
    'Deevo'), case-folded ('DEEVO', 'deevo' and 'Deevo' are one name) and with runs of
    white space as one space, trimmed. The key may be longer than the name (NFKC expands
    some characters); callers refuse a name whose key exceeds :data:`MAX_KEY`.
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
