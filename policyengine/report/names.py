"""People in the order a reader expects: pinyin order in Chinese, alphabetical in English.

Sorting Chinese names by code point puts 杨 before 陈 for no reason a person sees; a Chinese
list is read in pinyin order (陈 chen, 李 li, 杨 yang, 张 zhang), and an English one
alphabetically by the romanised name. Names that read the same fall back to the characters
themselves, so the order is total and stable.

>>> sorted(["杨宝珠", "张三", "陈立", "李小四"], key=lambda n: person_sort_key(n, "zh"))
['陈立', '李小四', '杨宝珠', '张三']
"""

from __future__ import annotations

from functools import lru_cache

from policyengine.language import Lang

# pypinyin is imported when a name is first sorted: loading its dictionary is a third of
# the service's start-up (the restart to the first answer, docs/decisions.md D37).


@lru_cache(maxsize=4096)
def _pinyin(name: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    # TONE3 keeps the tone digit, so 李 (li3) comes after 黎 (li2) as in a dictionary.
    return tuple(lazy_pinyin(name, style=Style.TONE3))


def person_sort_key(name: str | None, lang: Lang) -> tuple[object, ...]:
    """The sort key of a person's name; no name (an unresolved role) sorts last."""
    if not name:
        return (1, (), "")
    if lang == "zh":
        return (0, _pinyin(name), name)
    from pypinyin import lazy_pinyin

    # English: alphabetical, Chinese names by their romanisation (陈立 as "chen li").
    return (0, tuple(s.casefold() for s in lazy_pinyin(name)), name)
