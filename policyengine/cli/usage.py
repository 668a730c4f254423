"""Usage errors in the reader's language: argparse's own (a missing option, a bad choice) and
ours (errors.UsageError, worded by the `usage.*` templates of policyengine/wording.py).

The language is `--lang` when the command line gives it, else the locale, else Chinese: a
usage error is told before any policy is read, so the policy's `policy.language` cannot
decide it (with the shipped policy, Chinese either way).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from policyengine.language import Lang, resolve_language

# The value types argparse names in "invalid int value" (`type=int`, `type=float`).
_TYPE_ZH = {"int": "整数", "float": "数字"}


def _invalid_value(match: re.Match[str]) -> str:
    option, kind, value = match.groups()
    return f"参数 {option} 的值 {value} 无效（应为{_TYPE_ZH.get(kind, f' {kind}')}）"


# argparse's messages (Python 3.11), most specific first; the rest stay in English.
_ZH: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), zh) for pattern, zh in (
    (r"^the following arguments are required: (.+)$", r"缺少必需的参数：\1"),
    (r"^one of the arguments (.+) is required$", r"参数 \1 必须给出其中一个"),
    (r"^unrecognized arguments: (.+)$", r"无法识别的参数：\1"),
    (r"^ambiguous option: (\S+) could match (.+)$", r"选项 \1 有歧义，可能是：\2"),
    (r"^argument (\S+): not allowed with argument (\S+)$", r"参数 \1 不能与 \2 同时使用"),
    (r"^argument (\S+): invalid choice: (.+) \(choose from (.+)\)$",
     r"参数 \1 的值 \2 无效（可选：\3）"),
    (r"^argument (\S+): invalid (\S+) value: (.+)$", _invalid_value),
    # ours (cli/engines.py's `--workers`, `--partitions`; cli/common.py's `a_path`)
    (r"^argument (\S+): expected a whole number >= 1, got (.+)$",
     r"参数 \1 应为不小于 1 的整数，而不是 \2"),
    (r"^argument (\S+): an empty path \(a shell variable not set\?\): give a file's path$",
     r"参数 \1 的路径是空的（是不是 shell 变量没有设置？）：请给出文件路径"),
    (r"^argument (\S+): expected one argument$", r"参数 \1 后面需要一个值"),
    (r"^argument (\S+): expected at least one argument$", r"参数 \1 后面至少需要一个值"),
))


def argparse_text(message: str, lang: Lang) -> str:
    """One of argparse's error messages in `lang` (an unknown one as argparse wrote it)."""
    if lang != "zh":
        return message
    for pattern, zh in _ZH:
        if pattern.match(message):
            return pattern.sub(zh, message)
    return message


def argv_language(argv: Sequence[str] | None) -> Lang:
    """`--lang` of a command line not yet parsed (`--lang en`, `--lang=en`), else the locale,
    else Chinese."""
    words = list(sys.argv[1:] if argv is None else argv)
    given = None
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            given = words[i + 1]
        elif word.startswith("--lang="):
            given = word.split("=", 1)[1]
    return resolve_language(given)


def parser_class(lang: Lang) -> type[argparse.ArgumentParser]:
    """An ArgumentParser whose errors read in `lang`; its subcommands' parsers are of the same
    class (argparse makes them with the parent's type)."""

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            if lang != "zh":
                super().error(message)
            self._print_message(_usage_zh(self.format_usage()), sys.stderr)
            self.exit(2, f"{self.prog}：错误：{argparse_text(message, lang)}\n")

    return Parser


def _usage_zh(text: str) -> str:
    """argparse's usage line with its heading in Chinese (`用法：policyengine ...`)."""
    return "用法：" + text[len("usage: "):] if text.startswith("usage: ") else text


def prefix(lang: Lang) -> str:
    """How the command begins a message of its own on standard error."""
    return "policyengine：" if lang == "zh" else "policyengine: "
