"""What a Chinese reader should not have to decode: a fact type or role id not written as
`name（id）`, an English duration (`1d16h`), an attribute written `key=value`."""

from __future__ import annotations

import re

from policyengine.wording import Glossary

# An English duration as the policy files write it (`1d16h`, `30m`); never after a letter, a
# digit or '-' (so `s-0100`, `2026-10-09` and `P6` do not count).
ENGLISH_DURATION = re.compile(r"(?<![\w-])\d+[dhms](?:\d+[hms])*(?!\w)")
ATTRIBUTE_PAIR = re.compile(r"\b[a-z_]+ ?= ?[a-z_\d]")  # `decision=do`, `about = decision`


def bare_ids(text: str, names: Glossary) -> list[str]:
    """Fact type and role ids in `text` not written as `name（id）`."""
    found = []
    for table in (names.fact_types, names.roles):
        for key, name in table.items():
            for hit in re.finditer(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text):
                named = (text[:hit.start()].endswith(f"{name}（")
                         and text[hit.end():hit.end() + 1] == "）")
                if not named:
                    found.append(key)
    return found
