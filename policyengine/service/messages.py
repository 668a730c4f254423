"""Every message the API answers with, in English and Chinese, and which one a request reads.

An error body keeps its machine fields (`code`, `limit_bytes`, ...) the same in every
language; only `message` is worded for the reader. The language is the request's `lang`
query parameter, else its `Accept-Language` header (zh* is Chinese, en* English), else the
policy's `policy.language`, else Chinese (`policyengine.language.resolve_language`).

A rejected fact's reason is the fact check's own `Reason` (policyengine/facts/messages.py):
it carries both languages, so a value of a message may be one and is worded in the reader's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policyengine.errors import UsageError
from policyengine.facts.schema import Reason
from policyengine.language import Lang, resolve_language, worded
from policyengine.policy.messages import Words

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
    # webhooks
    "webhook.invalid": ("the webhook is not usable: {detail}", "webhook 设置不可用：{detail}"),
    "webhook.not_found": ("no webhook subscription '{id}': the ids are in GET /v1/webhooks",
                          "没有 webhook 订阅 '{id}'：订阅 id 见 GET /v1/webhooks"),
    "webhook.dead_not_found": ("no dead letter {id}: the ids are in GET "
                               "/v1/webhooks/dead-letters",
                               "没有编号为 {id} 的死信：编号见 GET /v1/webhooks/dead-letters"),
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
        return worded(MESSAGES[self.key], lang,
                      **{k: _value(v, lang) for k, v in self.values.items()})


def message(key: str, **values: Any) -> Message:
    if key not in MESSAGES:
        raise KeyError(f"no message '{key}' in the catalogue")
    return Message(key, values)


def _value(value: Any, lang: Lang) -> Any:
    if isinstance(value, (Message, UsageError)):  # an argument refused, worded in both
        return value.text(lang)
    return value.get(lang) if isinstance(value, (Reason, Words)) else value


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
