"""Errors a user can cause, each with a location and a stable code.

Diagnostics are values: the loader and the fact reader collect them and raise once,
so a user sees every mistake of a file in one run, sorted by place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One located problem: `file:line:col: code: message`.

    `message` is English and stable (JSON, logs, tests); `message_zh`, when given, says the
    same in Chinese. `render(lang)` is what a person reads.
    """

    location: Location
    code: str
    message: str
    message_zh: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.code}: {self.message}"

    def text(self, lang: str = "en") -> str:
        """The message alone in `lang` (zh or en): Chinese when it has a Chinese form."""
        return self.message_zh if lang == "zh" and self.message_zh else self.message

    def render(self, lang: str = "en") -> str:
        """`file:line:col: CODE: line 12, column 5: message` in `lang` (zh or en)."""
        from policyengine.policy.messages import render  # the wording lives there

        return render(self, lang)

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "code": self.code,
            "message": self.message,
        }
        if self.message_zh:
            found["message_zh"] = self.message_zh
        return found


class PolicyEngineError(Exception):
    """Root of every error policyengine raises on purpose."""


class DiagnosticsError(PolicyEngineError):
    """Carries every diagnostic found, sorted by location."""

    kind = "error"

    def __init__(self, diagnostics: Iterable[Diagnostic], *, language: str | None = None):
        # The language the input itself asks for (a policy's `policy.language`), if known.
        self.language = language
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(set(diagnostics)))
        count = len(self.diagnostics)
        summary = f"{count} {self.kind}{'s' if count != 1 else ''}"
        super().__init__(summary + "\n" + "\n".join(str(d) for d in self.diagnostics))


class PolicyError(DiagnosticsError):
    """The policy files are not a valid policy."""

    kind = "policy error"


class FactError(DiagnosticsError):
    """Some input facts are malformed; nothing was evaluated."""

    kind = "rejected fact"


# A year before this is no year of a workflow's record: a digit dropped or mistyped (0226).
MISTYPED_BEFORE = 1900


class CalendarDataMissing(PolicyEngineError):
    """A working-day computation needs a year the calendar has no data for.

    `str()` is the English message (logs, programs); `text("zh")` says the same in Chinese,
    its context too when the raiser gave one (`with_context(en, zh)`). `where`: the
    `file:line` of the fact whose date needs the year, when one does (a year before the
    calendar's first is that fact's mistake, most likely: it is said there)."""

    def __init__(self, year: int, context: str = "", context_zh: str = "", where: str = ""):
        self.year = year
        self.context = context
        self.context_zh = context_zh
        self.where = where
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The message in `lang` (zh or en), the fact's place first when known."""
        year, shown = self.year, f"{self.year:04d}"
        place = f"{self.where}: " if self.where else ""
        if lang == "zh":
            context = self.context_zh or self.context
            where = f"（{context}）" if context else ""
            found = f"{place}E-CAL-YEAR: 没有 {shown} 年的工作日历数据{where}。"
            if year < MISTYPED_BEFORE:
                return found + (f"{shown} 早于 {MISTYPED_BEFORE} 年，看起来是输入错误："
                                "请更正这条事实的日期。")
            return found + (f"官方日历只包含已公布的年份；请在制度文件的 calendar.years.{year} "
                            f"下加入 {year} 年的节假日和调休上班日。")
        where = f" ({self.context})" if self.context else ""
        found = f"{place}E-CAL-YEAR: no working-day calendar data for {shown}{where}. "
        if year < MISTYPED_BEFORE:
            # Advice to add holidays for the year 226 would be no help: the date is wrong.
            return found + (f"{shown} is before {MISTYPED_BEFORE}: the year looks mistyped; "
                            "correct the fact's date.")
        return found + (f"The official calendar covers only published years; add the {year} "
                        f"holidays and adjusted working days under calendar.years.{year} in "
                        "the policy file.")

    def __reduce__(self) -> tuple[type[CalendarDataMissing], tuple[int, str, str, str]]:
        # Made again from its parts where it is unpickled (a Dask worker's error), not from
        # its message (`args`), which is no year
        return CalendarDataMissing, (self.year, self.context, self.context_zh, self.where)

    def with_context(self, context: str, context_zh: str = "",
                     where: str | None = None) -> CalendarDataMissing:
        """The same year, said in `context` (`context_zh` in Chinese; and at the fact `where`,
        a `file:line`)."""
        return CalendarDataMissing(self.year, context, context_zh,
                                   self.where if where is None else where)


class Worded(Protocol):
    """A message in the reader's language (a `policyengine.wording.Line`)."""

    def render(self, lang: str = "en") -> str: ...


class UsageError(PolicyEngineError):
    """A command-line argument or API argument is not usable. Given a worded message (a
    `wording.Line` of the `usage.*` templates), the command line tells it in the reader's
    language; `str()` is the English."""

    def __init__(self, message: str | Worded):
        self.message = message
        super().__init__(message if isinstance(message, str) else message.render("en"))

    def text(self, lang: str = "en") -> str:
        """The message in `lang` (zh or en), as CalendarDataMissing.text says its own."""
        return self.message if isinstance(self.message, str) else self.message.render(lang)
