"""Tolerance for how people type: full-width punctuation, spaces around Chinese, no language line.

Two normalisations, both pure:
- `feature_text` fixes a .feature file's *structure* before the Gherkin parser sees it
  (`功能：` -> `功能:`, full-width `｜` in table rows, ideographic spaces, keywords in any case:
  `scenario:` -> `Scenario:`, and `given` -> `Given` under a scenario); it never adds or
  removes a line, so every line number a message quotes is the line in the user's file;
- `step_text` is the form step text is matched in: NFKC (full-width -> half-width), no
  space next to a Chinese character, single spaces elsewhere, no trailing colon or full stop.
  So `张三应缴纳50元`, `张三 应缴纳 50 元` and `张三 应缴纳 ５０ 元。` are the same step.

>>> step_text("张三 应缴纳 50 元，并扣除当月绩效。")
'张三应缴纳50元,并扣除当月绩效'
>>> step_text("the   violations are:")
'the violations are'
>>> feature_text("功能：甲\\n  场景 ：乙\\n    | a ｜ b |")
'功能:甲\\n  场景:乙\\n    | a | b |'
>>> feature_text("feature: f\\n  and more\\n  scenario: s\\n    given x\\n    WHEN y")
'Feature: f\\n  and more\\n  Scenario: s\\n    Given x\\n    When y'
"""

from __future__ import annotations

import re
import unicodedata

# Keywords that end in a colon in Gherkin, in the languages we read (zh-CN and English).
_COLON_KEYWORDS = (
    "功能", "背景", "场景大纲", "剧本大纲", "场景", "剧本", "例子", "规则",
    "Feature", "Business Need", "Ability", "Background", "Scenario Outline",
    "Scenario Template", "Scenario", "Example", "Examples", "Scenarios", "Rule",
)
_KEYWORD_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<keyword>" + "|".join(sorted(map(re.escape, _COLON_KEYWORDS),
                                                      key=len, reverse=True))
    + r")\s*[:：]", re.IGNORECASE,
)
_CANONICAL = {keyword.lower(): keyword for keyword in _COLON_KEYWORDS}
# The keywords after which steps follow (a scenario or a background), not free text only.
_STEP_SECTIONS = frozenset({"背景", "场景大纲", "剧本大纲", "场景", "剧本", "Background",
                            "Scenario Outline", "Scenario Template", "Scenario", "Example"})
# English step keywords in any case (`given`, `WHEN`): the Gherkin parser reads only `Given`,
# and took a lower-case step under a scenario's title for its description, silently.
_STEP_KEYWORD = re.compile(r"^(?P<indent>\s*)(?P<keyword>given|when|then|and|but)(?=\s)",
                           re.IGNORECASE)
_LANGUAGE_LINE = re.compile(r"^\s*[#＃]\s*language\s*[:：]\s*(?P<lang>\S+)\s*$", re.IGNORECASE)
_LANGUAGE_NAMES = {"zh-cn": "zh-CN", "zh_cn": "zh-CN", "zh": "zh-CN", "cn": "zh-CN",
                   "chinese": "zh-CN", "中文": "zh-CN", "简体中文": "zh-CN", "en": "en",
                   "english": "en", "英文": "en", "英语": "en"}
_CHINESE_KEYWORDS = frozenset(_COLON_KEYWORDS[:8])
_FIRST_KEYWORD = re.compile(
    r"^\s*(?:@\S+\s*)*(?P<keyword>" + "|".join(sorted(map(re.escape, _COLON_KEYWORDS),
                                                        key=len, reverse=True))
    + r")(?:\s*[:：]|\s)", re.IGNORECASE,  # the colon forgotten too: "Feature 李小四"
)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FA1F)


def has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def feature_text(text: str) -> str:
    """A feature file with its structural punctuation made ASCII (same lines, same count)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = []
    in_doc = False
    in_steps = False  # under a Scenario or Background line (not a Feature's, Rule's description)
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(('"""', "```", "“““", "”””")):
            fence = stripped[:3]
            if fence in ("“““", "”””"):
                line = line.replace(fence, '"""', 1)
            in_doc = not in_doc
            out.append(line)
            continue
        if in_doc:
            out.append(line)
            continue
        line = line.replace("\u3000", " ").replace("\ufeff", "")
        language = _LANGUAGE_LINE.match(line)
        if language:
            name = _LANGUAGE_NAMES.get(language.group("lang").lower(), language.group("lang"))
            out.append(f"# language: {name}")
            continue
        if stripped.startswith(("|", "｜")):
            line = line.replace("｜", "|")
        else:
            keyword = _KEYWORD_LINE.match(line)
            if keyword:
                canonical = _CANONICAL[keyword.group("keyword").lower()]
                in_steps = canonical in _STEP_SECTIONS
                line = f"{keyword.group('indent')}{canonical}:{line[keyword.end():]}"
            elif in_steps:
                line = _STEP_KEYWORD.sub(
                    lambda m: m.group("indent") + m.group("keyword").capitalize(), line,
                    count=1)
        out.append(line)
    return "\n".join(out)


def declared_language(text: str) -> str | None:
    """The `# language:` of a file (normalised), if it has one before its first keyword."""
    for line in text.splitlines():
        match = _LANGUAGE_LINE.match(line)
        if match:
            return _LANGUAGE_NAMES.get(match.group("lang").lower(), match.group("lang"))
        if line.strip() and not line.strip().startswith(("#", "＃")):
            return None
    return None


def guess_language(text: str) -> str:
    """The language of a file: its `# language:` line, else that of its first keyword
    (`Feature:` or `功能:`; a Chinese title after `Feature:` does not make the file Chinese),
    else zh-CN if it opens in Chinese."""
    declared = declared_language(text)
    if declared:
        return declared
    opening = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "＃")):
            continue
        keyword = _FIRST_KEYWORD.match(line)
        if keyword:
            return "zh-CN" if keyword.group("keyword") in _CHINESE_KEYWORDS else "en"
        opening = opening or line
        if not stripped.startswith("@"):
            break
    return "zh-CN" if has_cjk(opening) else "en"


# Columns that only explain a row: ignored in a facts table, and needing no <placeholder> in
# an Examples table.
NOTE_COLUMNS = ("备注", "说明", "注", "note", "notes", "comment", "#")

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "「": '"', "」": '"'})
_TRAILING = re.compile(r"[\s:;,.。!！]+$")


def step_text(text: str, *, trailing: bool = True) -> str:
    """The matching form of a step's text (see the module doc)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _SPACES.sub(" ", text).strip()
    if trailing:
        text = _TRAILING.sub("", text)
    chars = []
    for i, ch in enumerate(text):
        if ch == " ":
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if is_cjk(before) or is_cjk(after) or before == "(" or (after and after in ",.:;!?)"):
                continue
        chars.append(ch)
    return "".join(chars)


def cell_text(text: str) -> str:
    """The comparison form of a table cell or a name: NFKC, no spaces next to Chinese."""
    return step_text(text).casefold()


_ID_SPLIT = re.compile(r"\s*(?:,|、|和|及|与|\band\b|\bor\b|或)\s*", re.IGNORECASE)

def ids(text: str) -> set[str]:
    """`R1、R2 和 R3` -> {"R1", "R2", "R3"}."""
    return {part.upper() for part in _ID_SPLIT.split(text.strip()) if part}


def unquote(text: str) -> str:
    return text.strip().strip("\"'「」『』“”")


def lang_of(language: str) -> str:
    """'zh' for any Chinese dialect, else 'en': the language messages are written in."""
    return "zh" if language.lower().startswith("zh") else "en"


def say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en
