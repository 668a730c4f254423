"""Which language a person reads: `--lang`, else the policy's setting, else the locale.

Chinese is the product's first language: a locale that says nothing (C, POSIX, unset)
falls back to the policy's setting and then to Chinese.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")
DEFAULT: Lang = "zh"


def locale_language(environ: Mapping[str, str] | None = None) -> Lang | None:
    """The language of the user's locale (LC_ALL, LC_MESSAGES, LANG), if it names zh or en."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").lower()
        if value.startswith("zh"):
            return "zh"
        if value.startswith("en"):
            return "en"
    return None


def resolve_language(explicit: str | None, policy_setting: str | None = None,
                     environ: Mapping[str, str] | None = None) -> Lang:
    """`--lang` if given, else the policy's `policy.language`, else the locale, else zh."""
    for candidate in (explicit, policy_setting, locale_language(environ)):
        if candidate == "zh":
            return "zh"
        if candidate == "en":
            return "en"
    return DEFAULT


def worded(pair: tuple[str, str], lang: Lang, **values: Any) -> str:
    """One wording of an (English, Chinese) pair, its placeholders filled: the lookup every
    catalogue of words shares (report labels, service messages, dashboard words)."""
    english, chinese = pair
    return (chinese if lang == "zh" else english).format(**values)
