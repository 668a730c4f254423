"""Every reason a fact is rejected, in English and Chinese, described once.

A `Reason` keeps the English text stable (the CLI's English output, JSON, tests, integrators
read it) and carries its Chinese form; both come from one `FactSay` member here. The fact
reader, the CLI and the HTTP service all word a rejection from this catalogue, so the two
languages cannot drift apart. Names from the input (fact types, fields, values, codes) appear
as written in both.
"""

from __future__ import annotations

from typing import Any

from policyengine.policy.messages import Catalogue, Words


class FactSay(Catalogue):
    """Each member is (English, Chinese) with `{named}` parameters."""

    # -- the shape of a fact ---------------------------------------------------------------
    NOT_AN_OBJECT = ("a fact is a JSON object, not {kind}",
                     "一条事实应是一个 JSON 对象，而不是{kind}")
    MISSING_TYPE = ("missing field 'type'", "缺少字段“type”")
    TYPE_NOT_TEXT = ("'type' must be text naming a fact type, not {kind}",
                     "“type”应是写成文字的事实类型名称，而不是{kind}")
    UNKNOWN_TYPE = ("unknown fact type '{name}'{hint}", "未知的事实类型“{name}”{hint}")
    MISSING_ACTOR = ("missing field 'actor' (required for {type})",
                     "缺少字段“actor”（{type} 必须写明是谁做的）")
    MISSING_AT = ("missing field 'at' (an ISO 8601 time, e.g. {example})",
                  "缺少字段“at”（ISO 8601 时间，例如 {example}）")
    AT_NOT_TEXT = ("'at' must be a time written as text, e.g. \"{example}\", not {kind}",
                   "“at”应是加引号写成文字的时间，例如 \"{example}\"，而不是{kind}")
    AT_NOT_TIME = ("'at' is not an ISO 8601 time: '{value}' (write e.g. {example} or "
                   "2026-10-09 10:30)",
                   "“at”不是 ISO 8601 时间：“{value}”（请写成 {example} 或 2026-10-09 10:30 "
                   "这样的形式）")
    NO_CASE_HERE = ("a {type} fact has no 'case' (got '{value}')",
                    "{type} 事实不带“case”（收到的是“{value}”）")
    MISSING_CASE = ("missing field 'case' (the requirement or bug id, for {type})",
                    "缺少字段“case”（{type} 需要写需求或缺陷编号）")
    CASE_FORM = ("case id '{value}' is not of the form of a {kinds} id{examples}",
                 "案件编号“{value}”不符合 {kinds} 编号的格式{examples}")
    FOR_EXAMPLE = (" (e.g. {examples})", "（例如 {examples}）")
    OR = (" or ", " 或 ")
    UNKNOWN_ATTRIBUTE = ("unknown attribute '{name}' for {type}{hint}",
                         "{type} 没有属性“{name}”{hint}")
    MISSING_ATTRIBUTE = ("missing attribute '{name}' (required for {type})",
                         "缺少属性“{name}”（{type} 必须有）")
    MISSING_ATTRIBUTE_WHEN = ("missing attribute '{name}' (required for {type} when {other} "
                              "is {value})",
                              "缺少属性“{name}”（{other} 为 {value} 时，{type} 必须有）")
    DATE_NOT_TEXT = ("'{key}' must be a date written \"{hint}\" (text in quotes, YYYY-MM-DD), "
                     "not {kind}",
                     "“{key}”应是写成 \"{hint}\" 的日期（加引号的文字，YYYY-MM-DD），"
                     "而不是{kind}")
    NOT_A_DATE = ("'{key}' is not a date: '{value}' (write YYYY-MM-DD, e.g. {example})",
                  "“{key}”不是日期：“{value}”（请写成 YYYY-MM-DD，例如 {example}）")
    NOT_A_NUMBER = ("'{key}' must be a number, e.g. 1200 or 1200.5 (a JSON number, or digits "
                    "in quotes), not {kind}",
                    "“{key}”应是数字，例如 1200 或 1200.5（JSON 数字，或加引号的一串数字），"
                    "而不是{kind}")
    NOT_AN_AMOUNT = ("'{key}' must be an amount of money, e.g. 1200 or 1200.50 (a number with at "
                     "most 2 decimal places), not {kind}",
                     "“{key}”应是金额，例如 1200 或 1200.50（最多两位小数的数字），而不是{kind}")
    NOT_A_CHOICE = ("'{key}' is '{value}'{hint}", "“{key}”不能是“{value}”{hint}")
    NOT_TEXT = ("'{key}' must be text in quotes{example}, not {kind}",
                "“{key}”应是加引号的文字{example}，而不是{kind}")
    E_G = (", e.g. {example}", "，例如 {example}")
    SHOWN_CUT = ("{start}… ({length} characters)", "{start}……（共 {length} 个字符）")

    # -- how a JSON value is named ---------------------------------------------------------
    KIND_BOOLEAN = ("{value} (a JSON boolean)", "{value}（JSON 布尔值）")
    KIND_NUMBER = ("the number {value}", "数字 {value}")
    KIND_A_NUMBER = ("a number", "一个数字")
    KIND_LIST = ("a list", "列表")
    KIND_OBJECT = ("an object", "对象")
    KIND_TEXT = ("text", "文字")

    # -- ids used twice --------------------------------------------------------------------
    ID_ALSO_AT = ("id '{id}' is also used at line {line} for a different fact",
                  "id“{id}”在第 {line} 行也用于另一条不同的事实")
    ID_USED_AGAIN = ("id '{id}' is used again later for a different fact",
                     "id“{id}”在后面又被用于另一条不同的事实")
    ID_ALREADY_USED = ("id '{id}' was already used for a different fact ({where})",
                       "id“{id}”已用于另一条不同的事实（{where}）")

    # -- lines that cannot be read ---------------------------------------------------------
    NOT_UTF8 = ("not UTF-8 text (byte 0x{byte}): save the file as UTF-8 (in Excel: "
                "'CSV UTF-8')",
                "不是 UTF-8 文字（字节 0x{byte}）：请把文件另存为 UTF-8 编码"
                "（在 Excel 中选“CSV UTF-8”）")
    JSON_EXPECTING = ("not valid JSON: expecting a value at column {column}",
                      "不是有效的 JSON：第 {column} 列应有一个值")
    JSON_KEY_TWICE = ("the key '{key}' is written twice in this line: only one of its values "
                      "could be kept; write it once",
                      "这一行把“{key}”写了两次：两个值只能保留一个；请只写一次")
    JSON_AT = ("not valid JSON: {problem} at column {column}",
               "不是有效的 JSON：第 {column} 列{problem}")
    JSON_AT_LINE = ("not valid JSON: {problem} at column {column} of line {line}",
                    "不是有效的 JSON：第 {line} 行第 {column} 列{problem}")
    NOT_JSON = ("not valid JSON: ", "不是有效的 JSON：")
    ARRAY_OPENS = ("; a JSON array of facts opens here, but a facts file holds one fact object "
                   "per line (JSON Lines): jq -c '.[]' FILE.json > FILE.jsonl converts it",
                   "；这里开始的是一个事实的 JSON 数组，而事实文件应每行一条事实对象"
                   "（JSON Lines）：可用 jq -c '.[]' 文件.json > 文件.jsonl 转换")
    BOM_IN = ("a byte-order mark (U+FEFF, the bytes EF BB BF) {where}: the mark a file saved "
              "as 'UTF-8 with BOM' starts with, left here when files were joined; remove it "
              "(save each file as UTF-8 without BOM)",
              "{where}有一个字节顺序标记（U+FEFF，字节 EF BB BF）：以“UTF-8 带 BOM”保存的文件"
              "开头都有它，拼接文件时被留在了这里；请删去它（把每个文件另存为不带 BOM 的 UTF-8）")
    NUL_IN = ("a NUL character (the byte 00) {where}: no text holds one (a tool wrote zero "
              "bytes into the file); remove it",
              "{where}有一个 NUL 字符（字节 00）：文字中不会有它（可能是某个工具往文件里写入了"
              "零字节）；请删去它")
    WHERE_COLUMN = ("at column {column}", "第 {column} 列")
    WHERE_CELL = ("in cell {number} ({name})", "第 {number} 个单元格（{name}）中")
    WHERE_COLUMN_LINE = ("at column {column} of line {line}", "第 {line} 行第 {column} 列")
    JSON_TOO_DEEP = ("not valid JSON: nested too deeply", "不是有效的 JSON：嵌套层数过多")
    JSON_NUMBER_TOO_LONG = ("not valid JSON: a number is too long",
                            "不是有效的 JSON：数字过长")
    JSON_SURROGATE = ("not valid JSON text: a \\ud800-\\udfff escape without its pair (an "
                      "unpaired surrogate) is not a character",
                      "不是有效的 JSON 文字：没有配对的 \\ud800-\\udfff 转义（不成对的代理项）"
                      "不是一个字符")
    CSV_CELLS = ("{cells} cells where the header has {columns} columns ({header})",
                 "这一行有 {cells} 个单元格，而表头有 {columns} 列（{header}）")
    CSV_HEADER_TWICE = ("the header names a column twice ({names}): each row's two values "
                        "could not both be kept; rename or remove one of the columns. No line "
                        "of this file was read",
                        "表头中有重复的列名（{names}）：每一行的这两个值无法同时保留；请改名或删去"
                        "其中一列。这个文件的任何一行都没有读取")
    CSV_ROW_RAN_ON = ("this row runs from line {first} to line {last}, as a cell that starts "
                      "with a quote ends only at the next quote: is a closing quote missing? ",
                      "这一行从第 {first} 行一直延续到第 {last} 行（以引号开头的单元格要到下一个"
                      "引号才结束）：是不是少了结尾的引号？")
    CSV_QUOTE_OPEN = ("a cell of this line starts with a quote that is not closed on it, so "
                      "the row ran on to line {last}: is a closing quote missing? Only this "
                      "line is rejected: the lines after it were read as rows of their own",
                      "这一行有一个以引号开头的单元格，引号在本行没有结束，于是这一行一直延续到第 "
                      "{last} 行：是不是少了结尾的引号？只拒收这一行：其后的各行已各自作为一行读取")
    CSV_HEADER = ("the header row cannot be read ({problem}); no line of this file was read",
                  "无法读取表头行（{problem}）；这个文件的任何一行都没有读取")
    CSV_CELL_TOO_LONG = ("a cell is longer than {limit} characters, the most a fact file cell "
                         "may hold (is a closing quote missing?)",
                         "有一个单元格超过 {limit} 个字符，超出了事实文件单元格的上限"
                         "（是不是少了结尾的引号？）")
    CSV_GUESSED = ("this file was read as CSV because its first non-blank line, this one, "
                   "does not start with '{{' (as a JSON Lines fact does), and as a CSV header "
                   "it has no column 'type' ({header}): if the file is JSON Lines, name it "
                   ".jsonl (or remove this line); if it is CSV, its first row must be the "
                   "header (id,type,at,...)",
                   "这个文件被当作 CSV 读取，因为它的第一个非空行（即这一行）不是以“{{”开头"
                   "（JSON Lines 的事实以它开头）；而作为 CSV 表头，这一行没有“type”列"
                   "（{header}）：如果文件是 JSON Lines，请把文件名改为 .jsonl（或删去这一行）；"
                   "如果是 CSV，第一行必须是表头（id,type,at,……）")
    CSV_ROW = ("not a readable CSV row: {problem}",
               "无法读取的 CSV 行（CSV 读取器的说明：{problem}）")

    # -- the HTTP service's own rules (policyengine/service/ingest.py) ---------------------
    BODY_NOT_UTF8 = ("the body is not UTF-8 text (byte {byte})",
                     "正文不是 UTF-8 文字（第 {byte} 字节）")
    JSON_BODY_NOT_UTF8 = ("not valid JSON: the body is not UTF-8 text (byte {byte})",
                          "不是有效的 JSON：正文不是 UTF-8 文字（第 {byte} 字节）")
    MISSING_ID = ("missing field 'id' (the API needs a unique id on every fact, so that a fact "
                  "sent again is stored once)",
                  "缺少字段“id”（接口要求每条事实都有唯一的 id，这样重发的事实只存一次）")
    ID_TOO_LONG = ("'id' is {length} characters long; at most {limit}",
                   "“id”长 {length} 个字符；最多 {limit} 个")
    ID_USED_IN_REQUEST = ("id '{id}' was already used at {where} of this request for a "
                          "different fact",
                          "id“{id}”已在本请求的{where}用于另一条不同的事实")
    AT_LINE = ("line {line}", "第 {line} 行")
    AT_INDEX = ("index {index}", "第 {index} 条（从 0 数起）")
    ID_STORED = ("id '{id}' was already used for a different fact (it is stored)",
                 "id“{id}”已用于另一条已存储的不同事实")
    HOLDS_NUL = ("'{name}' holds a NUL character, which cannot be stored",
                 "“{name}”含有 NUL 字符，无法存储")
    HOLDS_SURROGATE = ("the fact holds an unpaired surrogate (\\ud800-\\udfff), which is not "
                       "Unicode text and cannot be stored",
                       "这条事实含有不成对的代理项（\\ud800-\\udfff），不是 Unicode 文字，无法存储")
    AT_OUT_OF_RANGE = ("'at' is out of range: '{value}'", "“at”超出了可表示的时间范围：“{value}”")
    CANNOT_CHECK = ("not a fact this policy can check: {kind}: {detail}",
                    "这条事实无法用本策略检查（{kind}：{detail}）")
    YEAR_NOT_COVERED = ("'at' is in {year}, a year the policy's working-day calendar has no "
                        "data for and that does not follow its last known year (a typing "
                        "mistake?); correct the date, or add calendar.years.{year} to the "
                        "policy first",
                        "“at”落在 {year} 年：策略的工作日历没有这一年的数据，而且这一年也不紧接"
                        "日历已知的最后一年（是不是输入有误？）；请更正日期，或先在策略中加入 "
                        "calendar.years.{year}")

    # -- the command line ------------------------------------------------------------------
    REJECTED_SUMMARY = ("{count} problem(s) in {places} place(s): some facts were rejected; "
                        "nothing was evaluated (use --reject-file PATH to evaluate the valid "
                        "ones)",
                        "{count} 处问题（{places} 个位置）：有事实被拒收，未作任何评估"
                        "（用 --reject-file 文件路径 可先评估其余有效的事实）")
    NOTHING_WRITTEN = ("{count} problem(s) in {places} place(s): nothing was evaluated and "
                       "nothing was written to {path}: --reject-file takes the lines that can "
                       "be read, and this file is not UTF-8 text (save it as UTF-8, then run "
                       "again)",
                       "{count} 处问题（{places} 个位置）：未作任何评估，{path} 也没有写入："
                       "--reject-file 只收能读出的行，而这个文件不是 UTF-8 文字"
                       "（请另存为 UTF-8 后再运行）")
    REJECTED_WRITTEN = ("policyengine: {count} fact(s) rejected, written to {path}; evaluating "
                        "the other {kept}",
                        "policyengine：{count} 条事实被拒收，已写入 {path}；"
                        "其余 {kept} 条照常评估")


# Python's JSON decoder's messages (json.decoder), as the reader passes them on.
_JSON_PROBLEMS = {
    "Expecting value": "应有一个值",
    "Expecting property name enclosed in double quotes": "应有用双引号括起的键名",
    "Expecting ',' delimiter": "应有逗号“,”",
    "Expecting ':' delimiter": "应有冒号“:”",
    "Extra data": "在值之后还有多余的内容",
    "Unterminated string starting at": "开始的文字没有结束引号",
    "Invalid control character at": "的文字里有无效的控制字符",
    "Invalid \\escape": "有无效的转义符",
    "Invalid \\uXXXX escape": "有无效的 \\uXXXX 转义",
}


def json_problem(message: str) -> Words:
    """A message of Python's JSON decoder (`exc.msg`) in both languages."""
    return Words(message, _JSON_PROBLEMS.get(message, f"（{message}）"))


def odd_character(text: str, at: int, where: Words) -> Words | None:
    """What to say when JSON fails at `text[at]` and it is a byte-order mark or a NUL (the
    JSON decoder would only say it expected a value there); None for any other character."""
    found = text[at:at + 1]
    if found == "\ufeff":
        return FactSay.NOT_JSON() + FactSay.BOM_IN(where=where)
    if found == "\x00":
        return FactSay.NOT_JSON() + FactSay.NUL_IN(where=where)
    return None


def json_kind(value: Any) -> Words:
    """How a JSON value's type is named in a message."""
    if isinstance(value, bool):
        return FactSay.KIND_BOOLEAN(value="true" if value else "false")
    if isinstance(value, (int, float)):
        return (FactSay.KIND_NUMBER(value=repr(value)) if len(repr(value)) <= 30
                else FactSay.KIND_A_NUMBER())
    if isinstance(value, list):
        return FactSay.KIND_LIST()
    if isinstance(value, dict):
        return FactSay.KIND_OBJECT()
    if isinstance(value, str):
        return FactSay.KIND_TEXT()
    name = "null" if value is None else type(value).__name__
    return Words(name, name)


def shown(value: Any, limit: int = 60) -> Words:
    """A value as quoted in a message: a cell of a million characters is not repeated whole."""
    text = str(value)
    if len(text) <= limit:
        return Words(text, text)
    return FactSay.SHOWN_CUT(start=text[:limit], length=len(text))


def either(names: list[str]) -> Words:
    """'a or b' in both languages."""
    joined = Words("", "")
    for number, name in enumerate(names):
        if number:
            joined = joined + FactSay.OR()
        joined = joined + Words(name, name)
    return joined
