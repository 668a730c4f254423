"""Names in pinyin order, without a pinyin table: a stop-gap until `person_sort_key` from
policyengine/report/names.py (pypinyin) is merged; the lead replaces this module's use then.

GB2312 orders its 3,755 level-1 characters — the common ones, which covers nearly every
surname and given name — by pinyin, so sorting by the GB18030 bytes of a name gives pinyin
order for them. Rarer characters sort after, by radical; names without Chinese sort by their
letters, ahead of Chinese ones, as in a printed Chinese register.
"""

from __future__ import annotations


def person_sort_key(name: str | None) -> tuple[int, bytes, str]:
    """Sort key: None (an unresolved person) last, then pinyin order as above."""
    if name is None:
        return (2, b"", "")
    try:
        encoded = name.encode("gb18030")
    except UnicodeEncodeError:  # pragma: no cover - gb18030 encodes every code point
        encoded = name.encode("utf-8")
    has_chinese = any(ord(ch) > 0x2E7F for ch in name)
    return (1 if has_chinese else 0, encoded if has_chinese else name.lower().encode(), name)
