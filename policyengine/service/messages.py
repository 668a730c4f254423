"""Every message the API answers with, in English and Chinese, and which one a request reads.

An error body keeps its machine fields (`code`, `limit_bytes`, ...) the same in every
language; only `message` is worded for the reader. The language is the request's `lang`
query parameter, else its `Accept-Language` header (zh* is Chinese, en* English), else the
policy's `policy.language`, else Chinese (`policyengine.language.resolve_language`).

Facts rejected by the policy's fact check carry the CLI's English reasons (the fact reader
is shared with `policyengine evaluate`); `fact_reason` words them in Chinese by the patterns
in `FACT_REASONS`, and a test sends a fact breaking each rule to keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policyengine.language import Lang, resolve_language

# key -> (English, Chinese); `{name}` takes a value of the error.
MESSAGES: dict[str, tuple[str, str]] = {
    # tokens
    "auth.missing": ("no token: send 'Authorization: Bearer <token>'",
                     "缺少令牌：请发送 'Authorization: Bearer <令牌>'"),
    "auth.malformed": ("no token: the Authorization header must read 'Bearer <token>'",
                       "缺少令牌：Authorization 请求头应写作 'Bearer <令牌>'"),
    "auth.invalid": ("the token is not known to this service", "本服务不认识这个令牌"),
    "auth.scope": ("token '{name}' holds {held}; {method} {path} needs scope '{scope}'",
                   "令牌 '{name}' 的权限是 {held}；{method} {path} 需要权限 '{scope}'"),
    # the request
    "param.unknown": ("unknown query parameter(s) {unknown}; {method} {path} takes {known}",
                      "未知的查询参数 {unknown}；{method} {path} 可用的参数是 {known}"),
    "param.none": ("none", "无"),
    "param.repeated": ("query parameter(s) {names} given more than once; give each once",
                       "查询参数 {names} 重复出现；每个参数只能给一次"),
    "param.lang": ("lang is '{value}'; write lang=zh (Chinese) or lang=en (English)",
                   "lang 的值 '{value}' 无效；请写 lang=zh（中文）或 lang=en（英文）"),
    "request.invalid": ("{problems}", "请求参数不正确：{problems}"),
    "request.invalid.empty": ("the request is not valid", "请求不正确"),
    "request.too_large": ("the request body is {size} bytes; at most {limit} bytes are accepted: "
                          "send the facts in smaller batches",
                          "请求正文有 {size} 字节，最多接受 {limit} 字节：请分成较小的批次发送"),
    "request.more_than": ("more than {limit}", "超过 {limit}"),
    "http.not_found": ("no such resource: {path}", "没有这个资源：{path}"),
    "http.method": ("{method} is not allowed on {path}", "{path} 不支持 {method} 方法"),
    "http.other": ("{detail}", "HTTP 错误：{detail}"),
    "service.busy": ("the service has too many open connections ({limit}); try again shortly",
                     "服务的连接数已达上限（{limit}）；请稍后再试"),
    "store.unavailable": ("the database is unavailable ({detail}); nothing was acknowledged: "
                          "send again later",
                          "数据库暂时不可用（{detail}）；本次未确认任何数据：请稍后重新发送"),
    # batches
    "batch.json": ("the body is {detail}", "请求正文{detail}"),
    "batch.ndjson": ("{detail}", "{detail}"),
    "batch.shape": ('a batch is {{"facts": [fact, ...]}}, a JSON array of facts, or JSON Lines '
                    "(Content-Type: application/x-ndjson)",
                    '批量请求应为 {{"facts": [事实, ...]}}、事实的 JSON 数组，或 JSON Lines'
                    "（Content-Type: application/x-ndjson）"),
    "batch.too_long": ("the batch has {count} facts; at most {limit} are accepted in one "
                       "request: split it",
                       "该批有 {count} 条事实，一次最多接受 {limit} 条：请拆分后发送"),
    # periods and moments
    "period.form": ("'{period}' is not a period: write a month as YYYY-MM (2026-10) or a "
                    "quarter as YYYY-Qn (2026-Q4), years 1900 to 2999",
                    "'{period}' 不是有效的期间：月份写作 YYYY-MM（如 2026-10），季度写作 "
                    "YYYY-Qn（如 2026-Q4），年份 1900 至 2999"),
    "as_of.form": ("as_of '{as_of}' is not an ISO time; write e.g. 2026-10-31T18:00:00+08:00, "
                   "or now", "as_of '{as_of}' 不是 ISO 时间；请写作如 "
                   "2026-10-31T18:00:00+08:00，或 now"),
    "window.missing": ("give period=YYYY-MM (or YYYY-Qn), as_of=ISO time (or now), or both",
                       "请给出 period=YYYY-MM（或 YYYY-Qn）、as_of=ISO 时间（或 now），或两者"),
    "window.year": ("{label} is in the year {year}; this service evaluates years 1900 to 2999",
                    "{label} 落在 {year} 年；本服务只计算 1900 至 2999 年"),
    "calendar.year": ("no working-day calendar data for {year}{context}: add the {year} "
                      "holidays and adjusted working days under calendar.years.{year} in the "
                      "policy, and reload it",
                      "没有 {year} 年的工作日历数据{context}：请在政策的 calendar.years.{year} "
                      "中加入 {year} 年的节假日和调休工作日，然后重新加载政策"),
    "facts.stored_invalid": ("stored facts are not valid under the policy in force: {detail}",
                             "已存储的事实不符合当前政策：{detail}"),
    "evaluate.failed": ("{detail}", "无法计算：{detail}"),
    # reads
    "fact.not_found": ("no fact with id '{id}' is stored", "没有存储 id 为 '{id}' 的事实"),
    "violation.not_found": ("no violation '{id}' in {period} as of {as_of}: ids come from "
                            "/v1/violations with the same period and as_of",
                            "在 {period}（截至 {as_of}）中没有违规 '{id}'：违规 id 取自相同 "
                            "period 和 as_of 的 /v1/violations"),
    # administration
    "policy.invalid": ("the policy files have errors; the policy in force is unchanged",
                       "政策文件有错误；当前政策保持不变"),
    "policy.stored_invalid": ("stored facts are not valid under the new policy; the policy "
                              "in force is unchanged",
                              "已存储的事实不符合新政策；当前政策保持不变"),
}


@dataclass(frozen=True)
class Message:
    """A message key and its values, worded when the reader's language is known."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: Lang) -> str:
        english, chinese = MESSAGES[self.key]
        template = chinese if lang == "zh" else english
        return template.format(**{k: _value(v, lang) for k, v in self.values.items()})


@dataclass(frozen=True)
class Reason:
    """A rejected fact's reason, as the fact check words it in English (see fact_reason)."""

    english: str

    def text(self, lang: Lang) -> str:
        return fact_reason(self.english, lang)


def message(key: str, **values: Any) -> Message:
    if key not in MESSAGES:
        raise KeyError(f"no message '{key}' in the catalogue")
    return Message(key, values)


def _value(value: Any, lang: Lang) -> Any:
    return value.text(lang) if isinstance(value, (Message, Reason)) else value


def request_language(lang_param: str | None, accept_language: str | None,
                     policy_language: str | None) -> Lang:
    """`?lang=`, else the first zh or en of Accept-Language by preference, else the policy's
    language, else Chinese. The server's own locale plays no part."""
    explicit = _language_tag(lang_param) if lang_param else None
    if explicit is None and accept_language:
        explicit = _accepted(accept_language)
    return resolve_language(explicit, policy_language, environ={})


def _language_tag(tag: str) -> Lang | None:
    tag = tag.strip().lower()
    if tag.startswith("zh"):
        return "zh"
    if tag.startswith("en"):
        return "en"
    return None


def _accepted(header: str) -> Lang | None:
    """The preferred of zh and en in an Accept-Language header (q-values honoured)."""
    ranked: list[tuple[float, int, Lang]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.partition(";")
        lang = _language_tag(tag)
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if lang is not None and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


# ---------------------------------------------------------------------------------------
# Reasons a fact is rejected: the fact check's English sentence -> its Chinese wording.

_SUGGEST = (re.compile(r"; did you mean '(?P<m>.*)'\?$"), "；是否应为 '{m}'？")
_ONE_OF = (re.compile(r"; expected one of: (?P<m>.*)$"), "；可选值：{m}")

FACT_REASONS: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.S), zh) for p, zh in [
    (r"a fact is a JSON object, not (?:an? )?(?P<t>\w+)", "事实应为 JSON 对象，而不是 {t}"),
    (r"missing field 'type'", "缺少字段 'type'"),
    (r"'type' must be a string naming a fact type, not (?P<t>\w+)",
     "'type' 应为事实类型名称（字符串），而不是 {t}"),
    (r"unknown fact type '(?P<v>.*)'(?P<s>(; .*)?)", "未知的事实类型 '{v}'{s}"),
    (r"missing field 'at' \(an ISO 8601 time, e\.g\. (?P<e>\S+)\)",
     "缺少字段 'at'（ISO 8601 时间，例如 {e}）"),
    (r"'at' is not an ISO 8601 time: '(?P<v>.*)' \(write e\.g\. (?P<e>\S+)\)",
     "'at' 不是 ISO 8601 时间：'{v}'（请写作如 {e}）"),
    (r"'at' is in (?P<y>\d+), a year the policy's working-day calendar has no data for and "
     r"that does not follow its last known year \(a typing mistake\?\); correct the date, or "
     r"add calendar\.years\.\d+ to the policy first",
     "'at' 落在 {y} 年：政策的工作日历没有该年的数据，且该年并不紧接日历已知的最后一年"
     "（是否输入有误？）；请更正日期，或先在政策中加入 calendar.years.{y}"),
    (r"'at' is out of range: '(?P<v>.*)'", "'at' 超出可表示的范围：'{v}'"),
    (r"'(?P<k>[^']+)' must be a string, not (?P<t>\w+)", "'{k}' 应为字符串，而不是 {t}"),
    (r"'(?P<k>actor|id|case)' must be a string", "'{k}' 应为字符串"),
    (r"missing field 'actor' \(required for (?P<t>.*)\)", "缺少字段 'actor'（{t} 必须有）"),
    (r"missing field 'case' \(the requirement or bug id, for (?P<t>.*)\)",
     "缺少字段 'case'（需求或缺陷编号，{t} 必须有）"),
    (r"a (?P<t>.*) fact has no 'case' \(got '(?P<v>.*)'\)",
     "{t} 事实没有 'case'（收到的是 '{v}'）"),
    (r"case id '(?P<v>.*)' is not of the form of an? (?P<k>.*) id(?: \(e\.g\. (?P<e>.*)\))?",
     "案件编号 '{v}' 不符合 {k} 编号的格式{e}"),
    (r"unknown attribute '(?P<k>.*)' for (?P<t>[^;]*)(?P<s>(; .*)?)",
     "{t} 没有属性 '{k}'{s}"),
    (r"missing attribute '(?P<k>.*)' \(required for (?P<t>\S+) when (?P<o>\S+) is (?P<v>.*)\)",
     "缺少属性 '{k}'（{o} 为 {v} 时，{t} 必须有）"),
    (r"missing attribute '(?P<k>.*)' \(required for (?P<t>.*)\)", "缺少属性 '{k}'（{t} 必须有）"),
    (r"'(?P<k>[^']+)' is not a date: '(?P<v>.*)' \(write YYYY-MM-DD\)",
     "'{k}' 不是日期：'{v}'（请写作 YYYY-MM-DD）"),
    (r"'(?P<k>[^']+)' is '(?P<v>.*?)'(?P<s>(; (did you mean|expected one of).*)?)",
     "'{k}' 不能是 '{v}'{s}"),
    (r"missing field 'id' \(the API needs a unique id on every fact, so that a fact sent again "
     r"is stored once\)", "缺少字段 'id'（接口要求每条事实都有唯一的 id，重发的事实才只存一次）"),
    (r"'id' is (?P<n>\d+) characters long; at most (?P<m>\d+)", "'id' 长 {n} 个字符；最多 {m} 个"),
    (r"id '(?P<v>.*)' was already used at (?P<w>line|index) (?P<n>\d+) of this request for a "
     r"different fact", "id '{v}' 已在本请求的第 {n} {w}用于另一条事实"),
    (r"id '(?P<v>.*)' was already used for a different fact \(it is stored\)",
     "id '{v}' 已用于另一条已存储的事实"),
    (r"'(?P<k>id|case)' holds a NUL character, which cannot be stored",
     "'{k}' 含有 NUL 字符，无法存储"),
    (r"the fact holds an unpaired surrogate .*", "事实含有不成对的代理字符（\\ud800-\\udfff），"
     "不是有效的 Unicode 文本，无法存储"),
    (r"not valid JSON: the body is not UTF-8 text \(byte (?P<n>\d+)\)",
     "不是有效的 JSON：正文不是 UTF-8 文本（第 {n} 字节）"),
    (r"the body is not UTF-8 text \(byte (?P<n>\d+)\)", "正文不是 UTF-8 文本（第 {n} 字节）"),
    (r"not valid JSON: nested too deeply", "不是有效的 JSON：嵌套层数过多"),
    (r"not valid JSON: a number is too long", "不是有效的 JSON：数字过长"),
    (r"not valid JSON: (?P<j>.*) at column (?P<c>\d+)(?: of line (?P<l>\d+))?",
     "不是有效的 JSON：{j}（{l}第 {c} 列）"),
    (r"not valid JSON: (?P<d>.*)", "不是有效的 JSON：{d}"),
    (r"not a fact this policy can check: (?P<d>.*)", "政策无法检查这条事实：{d}"),
]]
_WHERE_ZH = {"line": "行", "index": "条（从 0 数起）"}
# Python's JSON decoder's messages (json.decoder), as the reader passes them on.
_JSON_ZH = {
    "Expecting value": "此处应有一个值",
    "Expecting property name enclosed in double quotes": "此处应有用双引号括起的键名",
    "Expecting ',' delimiter": "此处应有逗号 ','",
    "Expecting ':' delimiter": "此处应有冒号 ':'",
    "Extra data": "值之后有多余的内容",
    "Unterminated string starting at": "字符串没有结束",
    "Invalid control character at": "字符串中有无效的控制字符",
    "Invalid \\escape": "无效的转义符",
    "Invalid \\uXXXX escape": "无效的 \\uXXXX 转义",
}


def fact_reason(reason: str, lang: Lang) -> str:
    """A rejected fact's reason in `lang`: English as the fact check words it, or Chinese."""
    if lang != "zh":
        return reason
    for pattern, chinese in FACT_REASONS:
        match = pattern.fullmatch(reason)
        if match is None:
            continue
        values = {k: v or "" for k, v in match.groupdict().items()}
        if "s" in values:
            values["s"] = _suggestion(values["s"])
        if "w" in values:
            values["w"] = _WHERE_ZH[values["w"]]
        if "j" in values:
            values["j"] = _JSON_ZH.get(values["j"], values["j"])
            values["l"] = f"第 {values['l']} 行" if values["l"] else ""
        if "e" in values and "case id" in pattern.pattern:
            values["e"] = f"（例如 {values['e'].replace(' or ', ' 或 ')}）" if values["e"] else ""
        if "k" in values and "of the form" in pattern.pattern:
            values["k"] = values["k"].replace(" or ", " 或 ")
        return chinese.format(**values)
    return reason  # a reason the catalogue does not know yet: still said, in English


def _suggestion(text: str) -> str:
    for pattern, chinese in (_SUGGEST, _ONE_OF):
        match = pattern.fullmatch(text)
        if match:
            return chinese.format(**match.groupdict())
    return text
