"""Every wording of `policyengine check`, in English and Chinese, described once.

A diagnostic keeps its English `message` stable for machines (JSON, tests, logs) and carries a
Chinese `message_zh` for people; both come from one `Say` member here. A parameter may itself
be `Words` (a hint, a list, a phrase): it is rendered in the same language as the sentence.

Chinese output never falls back to English sentences: names from the policy file (fact types,
keys, codes) appear as written, everything else is translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from policyengine.errors import Diagnostic, Location
from policyengine.suggest import closest


@dataclass(frozen=True)
class Words:
    """One sentence (or part of one) in both languages."""

    en: str
    zh: str

    def __add__(self, other: Words) -> Words:
        return Words(self.en + other.en, self.zh + other.zh)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


NOTHING = Words("", "")


class PolicyValueError(ValueError):
    """A value a policy check refuses, with its explanation in both languages.

    Raised inside pydantic validators (a `ValueError`, so pydantic reports it with the place);
    the loader takes the `Words` back out of the error's context.
    """

    def __init__(self, words: Words, code: str = "E-VALUE", *, key: str | None = None):
        super().__init__(words.en)
        self.words = words
        self.code = code
        # A key of the model refused as written there (`per` on a recurring duty): the
        # error is located at that key, not at the entry the validator checks as a whole.
        self.key = key


class Catalogue(Enum):
    """A catalogue of wordings: each member is (English, Chinese) with `{named}` parameters;
    calling a member with its values gives the `Words`."""

    def __call__(self, **params: Any) -> Words:
        en, zh = self.value
        return Words(en.format(**{k: _in(v, "en") for k, v in params.items()}),
                     zh.format(**{k: _in(v, "zh") for k, v in params.items()}))


class Say(Catalogue):
    """Each member is (English, Chinese) with `{named}` parameters."""

    # -- place and summary -----------------------------------------------------------------
    PLACE = ("line {line}, column {column}: ", "第 {line} 行第 {column} 列：")
    PLACE_LINE = ("line {line}: ", "第 {line} 行：")
    SUMMARY_ERRORS = ("{count} problem(s) in {places} place(s): the policy has errors; "
                      "nothing was evaluated",
                      "{count} 处问题（{places} 个位置）：策略文件有错误，未作任何评估")
    MORE = ("... and {count} more", "……另有 {count} 处")
    WARNING = ("warning: ", "警告：")
    ERROR = ("error: ", "错误：")
    NOTE = ("note: ", "注意：")
    CHECK_OK = ("ok: {path} — policy {id} v{version}: {files} file(s), {facts} fact types, "
                "{duties} duties, {penalties} penalties, {rewards} rewards{more}; {hash}",
                "检查通过：{path} — 策略 {id} 第 {version} 版：{files} 个文件，{facts} 种事实，"
                "{duties} 项职责，{penalties} 条惩罚，{rewards} 项奖励{more}；{hash}")
    # added to CHECK_OK only when the policy has them (a pack without them reads as before)
    CHECK_DECISIONS = (", {count} decision table(s)", "，{count} 张决策表")
    CHECK_PROHIBITIONS = (", {count} prohibition(s)", "，{count} 项禁止事项")

    # -- hints -----------------------------------------------------------------------------
    DID_YOU_MEAN = ("; did you mean '{name}'?", "；是不是想写“{name}”？")
    UNSEEN_IN_NAME = ("; it has {char} written inside it, which cannot be seen: delete it, so "
                      "that it reads '{name}'",
                      "；其中夹着一个看不见的{char}：请删掉它，只留下“{name}”")
    ONE_OF = ("; expected one of: {names}", "；可选的有：{names}")

    # -- reading files ---------------------------------------------------------------------
    NO_POLICY = ("no .yaml policy files found here", "这里没有找到 .yaml 策略文件")
    FILE_NOT_FOUND = ("file not found", "找不到这个文件")
    LANGUAGE_CODE = ("'{value}' is not a language code here: write '{meant}' (zh: Chinese, "
                     "en: English)",
                     "这里不能写“{value}”：请写“{meant}”（zh 表示中文，en 表示英文）")
    NOT_A_POLICY_FILE_NAME = (
        "not read: a policy file's name ends in .yaml or .yml, and this one is '{name}'; "
        "rename it to '{meant}', or move it out of the policy folder if it is a copy",
        "未读取：策略文件名须以 .yaml 或 .yml 结尾，这个文件名是“{name}”；请改名为“{meant}”，"
        "如果它是备份副本，请把它移出策略文件夹")
    CANNOT_READ = ("cannot read this file ({reason})", "无法读取这个文件（{reason}）")
    NO_PERMISSION = ("cannot read this file: no permission to read it",
                     "无法读取这个文件：没有读取它的权限")
    NOT_UTF8 = ("this line has a byte ({byte}) that is not UTF-8 text{guess}; save the file as "
                "UTF-8 (in Notepad: Save As, Encoding: UTF-8)",
                "这一行有一个不是 UTF-8 文字的字节（{byte}）{guess}；请把文件另存为 UTF-8 编码"
                "（记事本：另存为，编码选 UTF-8）")
    GUESS_GBK = (": the file looks saved as GBK/GB18030", "：这个文件看起来是用 GBK/GB18030 保存的")
    GUESS_UTF16 = (": the file looks saved as UTF-16", "：这个文件看起来是用 UTF-16 保存的")
    MORE_ENCODING = ("{count} more lines have bytes that are not UTF-8",
                     "另有 {count} 行也含有非 UTF-8 字节")

    # -- packs (policies/packs.yaml; docs/decisions.md D22) ---------------------------------
    PACK_UNKNOWN = ("there is no pack '{name}' in {folder}{hint}; the packs: {packs}",
                    "{folder} 里没有名为“{name}”的制度包{hint}；现有的制度包：{packs}")
    PACK_NO_DEFAULT = ("{folder} holds several packs and packs.yaml names no default: choose "
                       "one with --pack NAME; the packs: {packs}",
                       "{folder} 里有多个制度包，packs.yaml 没有指定默认的一个：请用 --pack 名称 "
                       "选择；现有的制度包：{packs}")
    PACK_DEFAULT_UNKNOWN = ("the default pack '{name}' is not a folder of this library (a "
                            "sub-folder with a policy.yaml){hint}",
                            "默认制度包“{name}”不是这里的一个文件夹（含 policy.yaml 的子文件夹）"
                            "{hint}")
    PACK_MISSING = ("the pack '{name}' is listed here but there is no folder {name}/ with a "
                    "policy.yaml next to this file",
                    "这里列出了制度包“{name}”，但同一目录下没有含 policy.yaml 的 {name}/ 文件夹")
    PACK_NOT_A_LIBRARY = ("--pack {name}: {folder} is one policy, not a folder of packs (a "
                          "folder of packs has sub-folders with a policy.yaml each)",
                          "--pack {name}：{folder} 是一份制度，不是制度包目录（制度包目录的每个"
                          "子文件夹各有一个 policy.yaml）")
    PACKS_SHAPE = ("packs.yaml is a mapping with 'default: NAME' and 'packs:' (each pack: "
                   "title, title_en){hint}",
                   "packs.yaml 应是一个映射，写“default: 名称”和“packs:”（每个包写 title、"
                   "title_en）{hint}")
    PACKS_CHECKED = ("{count} pack(s) checked, {failed} with errors",
                     "共检查 {count} 个制度包，其中 {failed} 个有错误")
    PACK_HEADING = ("pack {name}:", "制度包 {name}：")
    PACK_DEFAULT_MARK = ("* the default pack (packs.yaml `default`)",
                         "* 默认制度包（packs.yaml 的 default）")

    # -- YAML syntax -----------------------------------------------------------------------
    CONTROL_CHARACTER = ("an invisible control character ({char}) is written here; delete it "
                         "(it often comes from copying text out of another program)",
                         "这里有一个看不见的控制字符（{char}），请删掉它"
                         "（多半是从别的程序复制文字时带进来的）")
    MORE_CONTROL = ("{count} more control characters in this file",
                    "这个文件里另有 {count} 个控制字符")
    ODD_SPACE_INDENT = ("{char} is written here, where YAML reads only ordinary spaces (it "
                        "comes from copying text out of Word or a web page, or from typing in "
                        "full-width mode): replace it with ordinary spaces{align}",
                        "这里有一个{char}，YAML 在这里只认普通空格（多半是从 Word 或网页复制文字"
                        "带进来的，或是在全角模式下输入的）：请把它换成普通（半角）空格{align}")
    INVISIBLE_HERE = ("{char} is written here, which cannot be seen (it often comes from "
                      "copying text out of Word or a web page): delete it",
                      "这里有一个看不见的{char}（多半是从 Word 或网页复制文字时带进来的）："
                      "请删掉它")
    INVISIBLE_IN_KEY = ("the key '{key}' has {char} written inside it, which cannot be seen: "
                        "delete it, so the key reads '{key}'",
                        "键“{key}”里夹着一个看不见的{char}：请删掉它，只留下“{key}”")
    CHAR_NO_BREAK_SPACE = ("a no-break space (U+00A0)", "不间断空格（U+00A0）")
    CHAR_FULL_WIDTH_SPACE = ("a full-width space (U+3000)", "全角空格（U+3000）")
    CHAR_ZERO_WIDTH_SPACE = ("a zero-width space (U+200B)", "零宽空格（U+200B）")
    CHAR_BYTE_ORDER_MARK = ("a zero-width no-break space (U+FEFF, a byte order mark)",
                            "零宽不换行空格（U+FEFF，字节顺序标记）")
    CHAR_OTHER_SPACE = ("a special space character ({code})", "特殊空格字符（{code}）")
    CHAR_INVISIBLE = ("an invisible character ({code})", "看不见的字符（{code}）")
    TAB_INDENT = ("this line is indented with a tab; YAML accepts spaces only: replace the tab "
                  "with spaces{align}",
                  "这一行用制表符（Tab）缩进了，YAML 只认空格：请把 Tab 换成空格{align}")
    ALIGN_WITH = (", aligned with line {line} ('{text}', column {column})",
                  "，与第 {line} 行（“{text}”，第 {column} 列）对齐")
    BAD_INDENT = ("this line is indented wrongly (column {column}): align it with line {line} "
                  "('{text}', column {expected}) if it belongs to the same level, or check the "
                  "line above",
                  "这一行的缩进有误（从第 {column} 列开始）：如果它与第 {line} 行（“{text}”）属于"
                  "同一层，请让它也从第 {expected} 列开始；否则请检查上一行")
    NO_SPACE_AFTER_COLON = ("'{key}:' needs a space after the colon: write '{key}: {value}'",
                            "“{key}:”的冒号后面少了一个空格：请写成“{key}: {value}”")
    FULL_WIDTH_COLON = ("full-width colon '：' after '{key}': write an ASCII colon, '{key}: ...'",
                        "“{key}”后面用了中文全角冒号“：”：请改成英文冒号，写成“{key}: ...”")
    YAML_SYNTAX = ("{what}; check the quotes, brackets, colons and indentation of this line "
                   "and the one above (the YAML reader says: {problem})",
                   "{what}：请检查这一行和上一行的引号、括号、冒号和缩进")
    YAML_NOT_VALID = ("this is not valid YAML here", "这里的 YAML 写法有误")
    YAML_UNCLOSED = ("the file ends before a quote or a bracket is closed",
                     "文件结束时还有引号或括号没有闭合")
    YAML_BAD_START = ("'{char}' cannot start a value: put the value in quotes",
                      "“{char}”不能作为值的开头：请给这个值加上引号")
    YAML_FLOW = ("a list [a, b] or a mapping {{a: 1}} is not closed properly",
                 "方括号列表 [a, b] 或花括号映射 {{a: 1}} 没有正确闭合")
    YAML_QUOTE = ("a quoted text is not closed, or has a wrong escape such as \\d inside double "
                  "quotes (use single quotes for patterns)",
                  "引号里的文字没有闭合，或在双引号里写了 \\d 这样的转义（正则表达式请用单引号）")
    YAML_ANCHOR = ("an alias '*name' names no anchor '&name' defined above it",
                   "别名“*名字”找不到在它上面定义的锚点“&名字”")
    ALIAS_OTHER_FILE = ("the alias '*{name}' refers to the anchor '&{name}' of {other}; each "
                        "file is read on its own, so an anchor reaches only the aliases of its "
                        "own file: write the values out here, or give this file its own "
                        "'&{name}' above",
                        "别名“*{name}”指向的是 {other} 里的锚点“&{name}”；每个文件是分开读取的，"
                        "锚点只对它所在文件里的别名有效：请在这里直接写出这些值，或在本文件上方"
                        "另写一个“&{name}”")
    ALIAS_UNDEFINED = ("the alias '*{name}' names no anchor '&{name}' above it in this file (an "
                       "alias refers only to an anchor written before it, in the same file): "
                       "write '&{name}' on the values above, or write the values out here",
                       "别名“*{name}”在本文件中它的上方找不到锚点“&{name}”（别名只能指向同一"
                       "文件里写在它前面的锚点）：请在上方的值上写“&{name}”，或在这里直接写出"
                       "这些值")
    ALIAS_BOMB = ("the aliases ('*name') of this file would expand to more than {limit} values "
                  "(about {size}); a policy needs far fewer: write the values out, or use "
                  "fewer aliases of aliases",
                  "这个文件里的别名（“*名字”）展开后会超过 {limit} 个值（约 {size} 个）；一份策略"
                  "远用不了这么多：请直接写出这些值，或少用别名套别名")
    TOO_MANY_ALIASES = ("this file uses more than {limit} aliases ('*name'); write the values "
                        "out instead",
                        "这个文件用了超过 {limit} 个别名（“*名字”）；请直接写出这些值")
    TOO_DEEP = ("values are nested more than {limit} levels deep here; a policy needs fewer than "
                "ten: check for unclosed brackets '[' or '{{'",
                "这里的值嵌套超过了 {limit} 层；一份策略用不到十层：请检查是否有没闭合的“[”或“{{”")
    SELF_ALIAS = ("this alias refers to a mapping or list that contains it",
                  "这个别名指向了包含它自己的映射或列表")
    CANNOT_READ_VALUE = ("this value cannot be read ({problem})", "无法读取这个值（{problem}）")
    DUPLICATE_KEY = ("key '{key}' appears twice in this mapping (first at line {first}); "
                     "remove one of them",
                     "键“{key}”在同一层出现了两次（第一次在第 {first} 行）；请删掉其中一个")

    # -- sections and merging --------------------------------------------------------------
    NOT_A_MAPPING_OF_SECTIONS = ("a policy file is a mapping of sections: {sections}",
                                 "策略文件应由以下几节组成（“名称: 内容”）：{sections}")
    UNKNOWN_SECTION = ("unknown section '{name}'{hint}", "未知的节“{name}”{hint}")
    DEFINED_TWICE = ("{name} is defined twice (also in {other})",
                     "{name} 定义了两次（另一处在 {other}）")
    SECTION_TWICE = ("section '{name}' is defined twice (also in {other})",
                     "“{name}”这一节定义了两次（另一处在 {other}）")

    # -- shapes (pydantic errors, rephrased) -----------------------------------------------
    AT = ("{where}: {text}", "{where}：{text}")
    ALSO_READ_AS = (" (an alias shares these lines: they are also read as {others})",
                    "（这几行经别名共用，也作为 {others} 读取）")
    UNKNOWN_KEY = ("unknown key '{name}'{hint}", "未知的键“{name}”{hint}")
    MISSING_KEY = ("missing required key '{name}'", "缺少必填的键“{name}”")
    SECTION_FILE_EMPTY = ("missing required key '{name}': this file holds none (it is empty, "
                          "or holds only comments), and no other file has a section '{name}:'; "
                          "write the section here: '{name}:' and its entries",
                          "缺少必填的键“{name}”：这个文件里一项也没有（文件是空的，或只有注释），"
                          "其他文件里也没有“{name}:”这一节；请在这里写出这一节：“{name}:”及其条目")
    SECTION_NOT_IN_FILE = ("missing required key '{name}': this file, named for it, has no "
                           "section '{name}:', and no other file has one; write it here, with "
                           "its entries",
                           "缺少必填的键“{name}”：以它命名的这个文件里没有“{name}:”这一节，"
                           "其他文件里也没有；请在这里写出这一节及其条目")
    NOT_A_NUMBER = ("Input should be a valid {kind}: '{value}' is not a number",
                    "这里应写{kind}，而不是“{value}”")
    NOT_WHOLE = ("Input should be a valid integer: '{value}' has a fraction; write a whole "
                 "number, e.g. {whole}",
                 "这里应写整数，而不是“{value}”（例如 {whole}）")
    NUMBER_WITH_UNIT = ("Input should be a valid {kind}: write the number alone, '{number}' "
                        "(without '{unit}'{why})",
                        "这里只写数字“{number}”，不要写单位“{unit}”{why}")
    PERCENT_AS_FRACTION = ("Input should be a valid {kind}: write the fraction alone, "
                           "'{fraction}' ({percent}% is {fraction}; without '%')",
                           "这里只写小数“{fraction}”（{percent}% 就是 {fraction}），不要写“%”")
    NUMBER_WITHOUT_UNIT = ("Input should be a valid {kind}: write a number alone, without "
                           "'{unit}'{why}",
                           "这里只写数字，不要写单位“{unit}”{why}")
    PERCENT_RANGE = ("; a fraction is written here, e.g. 0.5 for 50%",
                     "（这里写小数，如 50% 写作 0.5）")
    UNIT_IS_CURRENCY = ("; amounts are in the policy's currency, CNY",
                        "（金额的单位就是策略的币种：人民币元）")
    NOT_TEXT = ("Input should be a valid string: write text here (in quotes if it looks like a "
                "number or a date, e.g. \"1.0\")",
                "这里应写文字（看起来像数字或日期时要加引号，如 \"1.0\"）")
    NOT_BOOL = ("Input should be a valid boolean: write true or false, not '{value}'",
                "这里只能写 true 或 false，不能写“{value}”")
    NOT_DATE = ("Input should be a valid date: write YYYY-MM-DD, e.g. 2026-10-01, not '{value}'",
                "这里应写日期，格式为 年-月-日，如 2026-10-01，而不是“{value}”")
    NOT_TIME = ("Input should be a valid time: write HH:MM, e.g. '18:00', not '{value}'",
                "这里应写时刻，格式为 时:分，如 '18:00'，而不是“{value}”")
    NOT_ALLOWED_VALUE = ("'{value}' is not allowed here{hint}", "这里不能写“{value}”{hint}")
    PATTERN_MISMATCH = ("'{value}' does not have the expected form ({pattern})",
                        "“{value}”的写法不符合要求（格式：{pattern}）")
    ID_PATTERN = ("'{value}' does not have the expected form: lower-case letters, digits, '.', "
                  "'_' and '-', starting with a letter or digit",
                  "“{value}”的写法不符合要求：只能用小写字母、数字、“.”、“_”、“-”，并以字母或数字开头")
    TOO_SHORT = ("needs at least {min} item(s)", "至少要写 {min} 项")
    TOO_LONG = ("has more than {max} item(s)", "最多只能写 {max} 项")
    AT_LEAST = ("must be at least {limit}, not {value}", "不能小于 {limit}（现在是 {value}）")
    ABOVE = ("must be greater than {limit}, not {value}", "必须大于 {limit}（现在是 {value}）")
    AT_MOST = ("must be at most {limit}, not {value}", "不能大于 {limit}（现在是 {value}）")
    BELOW = ("must be less than {limit}, not {value}", "必须小于 {limit}（现在是 {value}）")
    DECIMAL_PLACES = ("at most {places} decimal places, e.g. 20.50",
                      "最多 {places} 位小数，如 20.50")
    TOO_MANY_DIGITS = ("this number has too many digits to be meant; check it",
                       "这个数字位数多得不合常理：请检查它")
    NOT_FINITE = ("must be a finite number", "必须是有限的数字")
    NOT_A_MAPPING = ("write a mapping here ('key: value' lines), not {given}",
                     "这里应写一组“键: 值”，而不是{given}")
    NOT_A_LIST = ("write a list here ('- item' lines or [a, b]), not {given}",
                  "这里应写列表（每行“- 项目”，或 [a, b]），而不是{given}")
    NOT_ACCEPTED = ("this value is not accepted here ({kind})",
                    "这里的值不符合要求（{kind}）")
    GIVEN_TEXT = ("text", "文字")
    GIVEN_NUMBER = ("a number", "数字")
    GIVEN_LIST = ("a list", "列表")
    GIVEN_MAPPING = ("a mapping", "映射")
    GIVEN_NOTHING = ("nothing", "空值")
    GIVEN_OTHER = ("this value", "这个值")
    NUMBER_KIND_DECIMAL = ("decimal", "数字（可带两位小数）")
    NUMBER_KIND_INT = ("integer", "整数")
    NUMBER_KIND_FLOAT = ("number", "数字")

    # -- values the model refuses (validators) ---------------------------------------------
    NOT_A_CLOCK_REF = ("'{value}' is not a time of day; write HH:MM such as '18:00', or one of "
                       "{names}",
                       "“{value}”不是时刻：请写成 时:分，如 '18:00'，或写 {names} 之一")
    NOT_A_CLOCK = ("'{value}' is not a time of day; write it as HH:MM, e.g. '18:00'",
                   "“{value}”不是时刻：请写成 时:分，如 '18:00'")
    BAD_REGEX = ("not a valid regular expression (near character {position}): {problem}",
                 "不是有效的正则表达式（第 {position} 个字符附近有误）")
    ROLE_ONE_SOURCE = ("a role is found by exactly one of 'actor_of: [fact types]', 'assigned: "
                       "true' (from role.assigned facts) or 'members: [people]' (a fixed group)",
                       "角色只能由以下一种方式确定：“actor_of: [事实类型]”、“assigned: true”"
                       "（来自 role.assigned 事实）或“members: [人员]”（固定的一组人）；"
                       "只能且必须写其中一个")
    BY_SOMEONE = ("'by' names who may act: give 'role: ...' and/or 'people: [...]'",
                  "“by”写明谁可以做：请写“role: ...”和/或“people: [...]”")
    PER_FORM = ("'{value}': per is case, trigger or {{attribute: NAME}} (one obligation per "
                "case, per trigger fact, or per case and value of the trigger's NAME)",
                "“{value}”：per 可写 case、trigger 或 {{attribute: 属性名}}（每个案件一项、"
                "每个触发事实一项，或每个案件按触发事实的该属性取值各一项）")
    RECURRING_PER = ("a recurring duty is owed once each time its schedule comes round "
                     "(weekly, monthly, yearly or cron); 'per' applies to triggered duties: "
                     "remove it",
                     "定期职责按周期每到一次只欠一次（每周、每月、每年或 cron）；"
                     "“per”只适用于由事实触发的职责：请删掉它")
    ROLE_DEFAULT = ("'default' applies only to a role with 'assigned: true': remove it",
                    "“default”只适用于写了“assigned: true”的角色：请删掉它")
    ENUM_VALUES = ("'values' is given exactly when 'type' is enum",
                   "只有“type”为 enum 时才写“values”，而且此时必须写")
    BY_ONE_FORM = ("give exactly one of: end_of_working_day, weekly, monthly, yearly, "
                   "date_field, cron",
                   "end_of_working_day、weekly、monthly、yearly、date_field、cron "
                   "只能且必须写其中一个")
    RECURRING_FORMS = ("write exactly one recurring form: weekly: fri, monthly: 25 (or "
                       "monthly: last_working_day), yearly: {{from: \"03-25\", to: \"03-30\"}} "
                       "or cron: \"0 18 * * 5\"; with at: (say end_of_work) for the first three",
                       "定期职责必须且只能写一种周期：weekly: fri（每周）、monthly: 25"
                       "（每月某日，或 monthly: last_working_day 每月最后一个工作日）、"
                       "yearly: {{from: \"03-25\", to: \"03-30\"}}（每年的一段时间）"
                       "或 cron: \"0 18 * * 5\"；前三种还要用 at: 写时刻（如 end_of_work）")
    NOT_MONTHLY = ("'{value}' is not a day of the month: write 1 to 31 (a shorter month uses "
                   "its last day) or last_working_day",
                   "“{value}”不是每月的某一天：请写 1 到 31（当月没有这一天则取月末）"
                   "或 last_working_day")
    NOT_MONTH_DAY = ("'{value}' is not a day of the year: write MM-DD, e.g. \"03-25\"",
                     "“{value}”不是一年中的日子：请写成 月-日，如 \"03-25\"")
    CUTOFF_WEEKLY = ("'cutoff' goes with 'weekly'", "“cutoff”只能和“weekly”一起用")
    SAY_AT = ("say the time with 'at', e.g. at: end_of_work",
              "请用“at”写明时刻，如 at: end_of_work")
    DEADLINE_ONE_FORM = ("give exactly one of: within, by, immediately",
                         "within、by、immediately 只能且必须写其中一个")
    DUTY_TRIGGER_OR_RECURRING = ("a duty has either a 'trigger' (a fact) or 'recurring' (a weekly, "
                                 "monthly, yearly or cron deadline); give exactly one",
                                 "职责要么有“trigger”（由事实触发），要么有“recurring”"
                                 "（每周、每月、每年或 cron 的期限）；只能且必须写其中一个")
    DUTY_NEEDS_DEADLINE = ("a triggered duty needs a 'deadline'",
                           "由事实触发的职责需要写“deadline”")
    CHANGES_NEED_DEADLINE = ("'deadline_changes' needs a base 'deadline'",
                             "写了“deadline_changes”就必须有基础的“deadline”")
    RECURRING_NO_DEADLINE = ("a recurring duty's deadline is its 'recurring' time; remove "
                             "'deadline'",
                             "定期职责的期限就是“recurring”的时间；请删掉“deadline”")
    ONE_SCHEDULE = ("give exactly one schedule: {either} or {last}",
                    "{either} 和 {last} 只能且必须写其中一种")

    # -- durations (timeparse) -------------------------------------------------------------
    WORKING_DAYS_AT_LEAST_ONE = ("'{value}': the number of working days must be at least 1",
                                 "“{value}”：工作日数至少为 1")
    NEEDS_CLOCK_DURATION = ("'{value}' is a number of working days or months; a wall-clock "
                            "duration is wanted here, such as '30m', '1h' or '2d'",
                            "“{value}”是工作日数或月数；这里要的是钟点时长，如 '30m'、'1h' 或 '2d'")
    AMBIGUOUS_DAYS = ("'{value}' could be read two ways: write '{clock}' for {hours} hours on the "
                      "clock, or {working}",
                      "“{value}”有两种理解：按钟点算 {hours} 小时请写 '{clock}'，"
                      "按工作日算请写 {working}")
    WORKING_DAYS_READING = ("'{count} working_day{plural}' for 18:00 of the {ordinal} working "
                            "day", "'{count} working_day{plural}'（第 {count} 个工作日的下班时间）")
    WHOLE_WORKING_DAYS = ("a whole number of working days ('2 working_days')",
                          "整数个工作日（如 '2 working_days'）")
    DURATION_UNIT = ("'{value}' is not a duration this format reads; write '{clock}'",
                     "这里读不懂“{value}”这种时长写法：请写成 '{clock}'")
    NOT_A_DURATION = ("'{value}' is not a duration; write e.g. '30m', '1h', '2d' (48 hours), "
                      "'2 working_days' or '6 months'",
                      "“{value}”不是时长：请写成如 '30m'、'1h'、'2d'（48 小时）、'2 working_days' "
                      "或 '6 months'")
    DURATION_TOO_LONG = ("'{value}' is longer than {limit} days; no deadline of a rule book is "
                         "that far: check the number",
                         "“{value}”超过了 {limit} 天；制度里的期限不会这么长：请检查这个数字")
    CALENDAR_SPAN_TOO_LONG = ("'{value}' is more than {limit} months; no deadline of a rule book "
                              "is that far: check the number",
                              "“{value}”超过了 {limit} 个月；制度里的期限不会这么长："
                              "请检查这个数字")
    CALENDAR_SPAN_ZERO = ("'{value}': the number of months or years must be at least 1",
                          "“{value}”：月数或年数至少为 1")
    WORKING_DAYS_TOO_MANY = ("'{value}' is more than {limit} working days; check the number",
                             "“{value}”超过了 {limit} 个工作日：请检查这个数字")

    # -- cross checks (checks.py) ----------------------------------------------------------
    UNKNOWN_NAME = ("unknown {what} '{name}'{hint}", "未知的{what}“{name}”{hint}")
    UNKNOWN_TIMEZONE = ("unknown time zone '{value}'; e.g. Asia/Shanghai",
                        "未知的时区“{value}”；应写如 Asia/Shanghai")
    WRONG_YEAR = ("{day} is listed under year {year}", "{day} 被写在了 {year} 年下面")
    HOLIDAY_AND_WORKING = ("{day} is listed both as a holiday and as a working day",
                           "{day} 同时被写成了节假日和工作日")
    WORKDAY_ORDER = ("the working day ends at {end} but starts at {start}: 'end' must be after "
                     "'start' (a 24-hour clock: write 18:00, not 06:00)",
                     "工作日 {start} 开始却在 {end} 结束：“end”必须晚于“start”"
                     "（24 小时制：下午六点写 18:00，不写 06:00）")
    MORNING_END_OUTSIDE = ("morning_end {morning} must fall inside the working day "
                           "({start}–{end})",
                           "上午结束时间 morning_end {morning} 必须在工作时间（{start}–{end}）之内")
    WORKING_HOURS_NAMED = ("working_hours.{field} defines '{value}' itself: write a clock time "
                           "HH:MM here",
                           "working_hours.{field} 本身就是在定义“{value}”："
                           "这里请写 时:分 形式的时刻")
    ZERO_DEADLINE = ("a deadline of zero ('{value}') makes every fulfilment late; for 'at once' "
                     "write 'immediately: {{}}'",
                     "期限为零（“{value}”）会让每次完成都算迟到；“即刻”请写 'immediately: {{}}'")
    FACT_FIELD_NOT_ATTRIBUTE = ("'{name}' is a fact field, not an attribute",
                                "“{name}”是事实本身的字段，不能当作属性")
    TIER_NEEDS_TIERS = ("type 'tier' needs an urgency_tiers section",
                        "类型“tier”需要有 urgency_tiers 这一节")
    ROLE_FACT_NEEDED = ("roles with 'assigned: true' need a fact type '{fact}' with attributes "
                        "'role' and 'person'",
                        "有“assigned: true”的角色时，需要事实类型“{fact}”，"
                        "并带属性“role”和“person”")
    NOT_A_DATE_ATTRIBUTE = ("'{name}' is not a date attribute of {fact}{hint}",
                            "“{name}”不是 {fact} 的日期属性{hint}")
    DATE_ATTRIBUTE_REQUIRED = ("{fact}.{name} carries the date this deadline needs: declare it "
                               "'required: true' so every such fact has it",
                               "{fact}.{name} 带有这个期限要用的日期：请声明“required: true”，"
                               "让每条这样的事实都带上它")
    FROM_JOIN_ANCHOR = ("'{join}' is not an attribute of {fact}, the fact type this deadline runs "
                        "from{hint}: the anchor is found by that attribute",
                        "“{join}”不是 {fact}（期限起算的事实类型）的属性{hint}："
                        "要靠这个属性找到起算的事实")
    FROM_JOIN_TRIGGER = ("the deadline runs from {anchor} joined by '{join}', but the trigger "
                         "{trigger} has no attribute '{join}': add it to {trigger}'s attributes",
                         "期限从 {anchor} 起算、按“{join}”对应，"
                         "但触发事实 {trigger} 没有属性“{join}”：请在 {trigger} 的属性里加上它")
    FROM_DATE_FIELD = ("a committed date ('date_field') does not run from any fact: remove 'from'",
                       "承诺日期（date_field）不从任何事实起算：请删掉“from”")
    PER_ATTRIBUTE = ("'per: {{attribute: {name}}}': {fact} has no attribute '{name}' (every "
                     "trigger and fulfilling fact type must have it){hint}",
                     "“per: {{attribute: {name}}}”：{fact} 没有属性“{name}”（触发和完成的事实类型都"
                     "必须有它）{hint}")
    PER_NOT_REQUIRED = ("'per: {{attribute: {name}}}': {fact}.{name} is not required, so a "
                        "{fact} fact without it would open (or could never close) an obligation: "
                        "write 'required: true' on {fact}'s attribute '{name}'",
                        "“per: {{attribute: {name}}}”：{fact}.{name} 不是必填属性，缺少它的 {fact} "
                        "事实会开出无法完成的职责（或完成不了任何职责）：请在 {fact} 的属性“{name}”"
                        "上写“required: true”")
    DECISION_UNIQUE_ALWAYS = ("hit_policy unique: this rule has no 'when', so it always "
                              "applies and overlaps every other rule: give it a condition, or "
                              "use hit_policy first with it as the last rule",
                              "hit_policy unique：这条规则没有“when”，总是适用，与其他每条规则"
                              "都重叠：请给它写条件，或改用 hit_policy first 并把它放在最后")
    BY_ROLE_ACTOR_OF = ("role '{role}' is found from the facts themselves (actor_of), so it "
                        "cannot say who may make them; use a role with 'assigned: true' or "
                        "'members: [...]', or 'people: [...]'",
                        "角色“{role}”本身由事实确定（actor_of），不能用来限定谁可以做这件事；"
                        "请改用写了“assigned: true”或“members: [...]”的角色，或写“people: [...]”")
    PROHIBITION_IS_DUTY = ("'{name}' names both a duty and a prohibition; a violation names "
                           "one of them: rename one",
                           "“{name}”既是职责又是禁止事项的编号；违规记录只写一个编号：请改掉其中一个")
    PROHIBITION_LATENESS = ("a prohibited fact is not late by any amount: penalty {penalty} has a "
                            "lateness schedule; use per_instance, capped_per_instance or "
                            "monthly_count",
                            "禁止的事实没有“迟了多久”：罚则 {penalty} 是按迟延时长计的；"
                            "请用 per_instance、capped_per_instance 或 monthly_count")
    SELF_FULFILLED = ("a duty cannot be fulfilled by the very fact that triggers it",
                      "职责不能由触发它的同一种事实来完成")
    APPROVAL_DATE_TYPE = ("{fact}.{name} must be of type date (it may carry the approved date)",
                          "{fact}.{name} 必须是 date 类型（它可能带有批准的日期）")
    AT_IGNORED = ("'at' is used only with 'weekly', 'monthly', 'yearly' or 'date_field'; this "
                  "deadline's time comes from its own rule, so remove 'at'",
                  "“at”只和“weekly”“monthly”“yearly”或“date_field”一起用；"
                  "这个期限的时刻由它自己的规则决定，请删掉“at”")
    IF_NOT_WORKING_DAY_IGNORED = ("'if_not_working_day' does not apply here: {why}",
                                  "这里用不上“if_not_working_day”：{why}")
    CRON_NOT_MOVED = ("a cron expression's times are kept as written (write the days in the "
                      "expression)", "cron 表达式的时间按原样使用（要避开的日子请写进表达式）")
    LAST_WORKING_DAY_NOT_MOVED = ("the last working day of a month is a working day already",
                                  "每月最后一个工作日本身就是工作日")
    CUTOFF_NOT_WEEKLY = ("a cutoff is itself weekly: cutoff: {{weekly: thu, at: end_of_work}}",
                         "截止点本身也必须按周写：cutoff: {{weekly: thu, at: end_of_work}}")
    CUTOFF_OF_CUTOFF = ("a cutoff has no cutoff of its own; remove this one",
                        "截止点不能再有自己的截止点；请删掉这一个")
    NOT_CRON = ("'{value}' is not a cron expression (minute hour day month weekday)",
                "“{value}”不是 cron 表达式（分 时 日 月 星期）")
    CRON_TOO_OFTEN = ("'{value}' gives more than one time an hour; a recurring duty owes one "
                      "obligation per time: check the minute field (e.g. '0 18 * * 5')",
                      "“{value}”每小时超过一次；定期职责每个时间都要完成一次：请检查分钟字段"
                      "（如 '0 18 * * 5'）")
    CRON_NEVER = ("'{value}' never matches a date (e.g. 30 February)",
                  "“{value}”永远匹配不到任何日期（例如 2 月 30 日）")
    EFFECTIVE_ORDER = ("effective date {day} must be after the previous {word}'s {before}; list "
                       "{word}s oldest first, one per date",
                       "生效日期 {day} 必须晚于上一个{word}的 {before}；请按从旧到新排列，"
                       "每个日期只写一个")
    MONTHLY_FROM_FIRST = ("a {kind} schedule counts whole months: its effective date must be the "
                          "1st of a month, not {day}",
                          "{kind} 惩罚以整月计算：生效日期必须是某月 1 日，而不是 {day}")
    CAP_BELOW_EACH = ("the monthly cap ({cap}) is below the amount of one violation ({each}): "
                      "raise the cap or use per_instance",
                      "每月上限（{cap}）低于单次金额（{each}）：请提高上限，或改用 per_instance")
    TIER_OUTCOME = ("each tier has either an 'amount' or 'forfeit: true'",
                    "每一档要么写“amount”（金额），要么写“forfeit: true”（当月无绩效），只能写一个")
    COUNT_TIER_START = ("this tier starts at {start} but the previous one ends at {end}: write "
                        "from: {expected}",
                        "这一档从 {start} 开始，但上一档到 {end} 为止：请写 from: {expected}")
    OPEN_TIER_LAST = ("only the last tier may be open-ended (no '{key}')",
                      "只有最后一档可以不写上限（“{key}”）")
    TO_BELOW_FROM = ("'to' ({to}) is below 'from' ({start})",
                     "“to”（{to}）小于“from”（{start}）：每一档的上限不能低于下限")
    COUNT_TIERS_END = ("counts above {end} match no tier: end with an open tier (from: "
                       "{expected}, no 'to')",
                       "超过 {end} 次的情况没有对应的档位：最后一档请写 from: {expected}，不写“to”")
    LATENESS_TIER_START = ("this tier starts over {start} but the previous one ends at {end}: "
                           "write over: {end}",
                           "这一档从超过 {start} 开始，但上一档到 {end} 为止：请写 over: {end}")
    UP_TO_NOT_LONGER = ("'up_to' must be longer than 'over'",
                        "“up_to”必须比“over”长：每一档的上限要大于下限")
    LATENESS_TIERS_END = ("lateness over {end} matches no tier: end with an open tier (over: "
                          "{end}, no 'up_to')",
                          "迟到超过 {end} 的情况没有对应的档位："
                          "最后一档请写 over: {end}，不写“up_to”")
    MIN_ABOVE_MAX = ("min ({min}) is above max ({max})", "min（{min}）大于 max（{max}）")
    # -- conditions and decision tables ----------------------------------------------------
    NO_OPERATOR = ("write at least one operator here: {names}",
                   "这里至少要写一个运算符：{names}")
    UNKNOWN_OPERATOR = ("unknown operator '{name}'; the operators are: {names}",
                        "未知的运算符“{name}”；可用的运算符有：{names}")
    ORDER_NOT_ALLOWED = ("'{op}' compares by order, which {fact}.{attr} (type {type}) has not: "
                         "order comparisons are for number, money and date attributes; write "
                         "a value, a list, or eq / ne / in / not_in",
                         "“{op}”按大小比较，而 {fact}.{attr}（类型 {type}）没有大小之分："
                         "只有 number、money 和 date 属性可以比大小；请直接写取值、列表，"
                         "或用 eq / ne / in / not_in")
    OPERAND_TYPE = ("'{value}' is not {kind}, which {fact}.{attr} (type {type}) holds",
                    "“{value}”不是{kind}，而 {fact}.{attr}（类型 {type}）的取值是{kind}")
    NOT_OPERAND = ("write one value here (a number, a date or text), not {given}; 'in' and "
                   "'not_in' take a list [a, b], 'between' takes [low, high]",
                   "这里写一个值（数字、日期或文字），而不是{given}；“in”和“not_in”写列表 [a, b]，"
                   "“between”写 [小, 大]")
    BETWEEN_TWO = ("between takes two values [low, high], e.g. between: [1000, 5000]",
                   "between 要写两个值 [小, 大]，如 between: [1000, 5000]")
    KIND_A_NUMBER = ("a number", "数字")
    KIND_AN_AMOUNT = ("an amount (a number with at most 2 decimal places)",
                      "金额（最多两位小数的数字）")
    KIND_A_DATE = ("a date (YYYY-MM-DD)", "日期（年-月-日）")
    KIND_TEXT = ("text", "文字")
    BETWEEN_ORDER = ("between [{low}, {high}]: the low end comes first",
                     "between [{low}, {high}]：小的一端要写在前面")
    CASE_VALUE_NEEDS_CASE = ("{fact} facts have no case, so they have no case value to read "
                             "('{key}')",
                             "{fact} 事实不带案件编号，所以读不到案件取值（“{key}”）")
    DECISION_ON_NO_CASE = ("the decision is evaluated on {fact} facts, which have no case: "
                           "its value would belong to no case",
                           "这个决策表在 {fact} 事实上求值，但这种事实不带案件编号："
                           "结果不属于任何案件")
    DECISION_NOT_INPUT = ("'{name}' is not an input of this decision (inputs: {inputs}); "
                          "add it to 'inputs' or remove the condition",
                          "“{name}”不是这个决策表的输入（输入有：{inputs}）；"
                          "请把它加进“inputs”，或删掉这个条件")
    DECISION_THEN_NOT_OUTPUT = ("'{value}' is not listed in 'outputs' ({outputs})",
                                "“{value}”不在“outputs”（{outputs}）中")
    DECISION_PRIORITY_OUTPUTS = ("hit_policy priority picks the output listed highest: list "
                                 "'outputs', highest first",
                                 "hit_policy 为 priority 时按“outputs”中的先后取最高者："
                                 "请写出“outputs”，优先级高的在前")
    DECISION_OUTPUT_TWICE = ("'{value}' is listed twice in 'outputs'",
                             "“{value}”在“outputs”中写了两次")

    EXAMPLE_NOT_PATTERN = ("the example '{example}' is not of the form its pattern describes "
                           "('{pattern}'): messages offer it as the id to follow; write one the "
                           "pattern accepts",
                           "示例“{example}”不符合它的 pattern（{pattern}）：提示信息会把它当作"
                           "正确写法给出；请写一个符合 pattern 的示例")
    REWARD_NEEDS = ("a reward of kind '{kind}' needs '{name}'",
                    "类型为“{kind}”的奖励需要写“{name}”")
    REWARD_NOT_READ = ("a reward of kind '{kind}' does not read '{name}' (it reads {reads}): "
                       "remove it, or give the reward the kind that reads it",
                       "类型为“{kind}”的奖励不读“{name}”（它只读 {reads}）：请删去这一项，"
                       "或改用读它的奖励类型")
    MEASURE_NOT_READ = ("'measure' is read only by lateness tiers ('lateness'), and no version "
                        "of this penalty has them: remove it",
                        "“measure”只用于按迟延时长分档（lateness），这个处罚的各版本都没有这种"
                        "分档：请删去这一项")
    VALUE_NAMES_NOT_READ = ("'value_names' names the values of an enum attribute, and this one "
                            "is of type {type}: remove it, or give the attribute type enum and "
                            "its values",
                            "“value_names”用于给 enum 属性的取值起名，而这个属性的类型是 "
                            "{type}：请删去这一项，或把属性改为 enum 并写出 values")
    RECURRING_NO_EXTENSION = ("a recurring duty has no commitment date to move: 'extension' "
                              "is read only by a duty with a 'trigger'; remove it",
                              "定期职责没有可以推迟的承诺日期：只有写了“trigger”的职责才读"
                              "“extension”；请删去这一项")

    # -- edits of values already in force (policy/history.py, cli/history.py) --------------
    HISTORY_SINCE_START = ("has applied from the start", "从一开始就适用")
    HISTORY_SINCE = ("is in force since {date}", "自 {date} 起生效")
    HISTORY_MEASURE = ("{where} was {old}, now {new}: {owner} reads the lateness tiers of "
                       "every version with it, and a version in force since {effective} was "
                       "already in force on {today}, so months already evaluated would change. "
                       "Put back {old}; to measure otherwise from a date on, write a new penalty "
                       "rule (a new id) for the duties from then",
                       "{where} 原为 {old}，现在改成了 {new}：{owner} 的每个版本都按它计算迟延，"
                       "而 {effective} 起生效的版本在 {today} 已经生效，已评估过的月份会因此改变。"
                       "请改回 {old}；若要从某天起换一种算法，"
                       "请另写一条罚则（新的编号）给此后的职责用")
    HISTORY_CHANGED = ("{where} was {old}, now {new}: the version of {owner} that {since}, "
                       "already in force on {today}, was edited in place, which rewrites "
                       "months already evaluated. Put back {old} and add a dated version "
                       "instead (below)",
                       "{where} 原为 {old}，现在改成了 {new}：{owner} 中{since}、在 {today} "
                       "已经生效的版本被直接改动了，这会改写已经评估过的月份。请改回 {old}，"
                       "另外新增一个带生效日期的版本（见下）")
    HISTORY_REMOVED = ("the version of {owner} that {since}, already in force on {today}, was "
                       "removed, which rewrites months already evaluated. Put it back (below); "
                       "to change what applies from now on, add a version with a later "
                       "effective date",
                       "{owner} 中{since}、在 {today} 已经生效的版本被删除了，这会改写已经评估"
                       "过的月份。请把它放回去（见下）；要改变今后适用的规定，请新增一个生效"
                       "日期更晚的版本")
    HISTORY_BACKDATED = ("{where}: a version of {owner} effective {effective} was added, a "
                         "date already past on {today}, which rewrites months already "
                         "evaluated. Date it from tomorrow or later (below)",
                         "{where}：新增了一个 {owner} 的版本，生效日期为 {effective}，这在 "
                         "{today} 已是过去的日期，会改写已经评估过的月份。请把生效日期定在明天"
                         "或以后（见下）")
    HISTORY_ALLOWED = ("allowed by --allow-history-edit: {message}",
                       "已用 --allow-history-edit 放行：{message}")
    HISTORY_UNDER = ("under {where}:\n", "加在 {where} 之下：\n")
    HISTORY_NOT_IN_GIT = ("{path} is not in git: edits of values already in force are not "
                          "checked",
                          "{path} 不在 git 仓库中：不检查对已生效取值的修改")
    HISTORY_NOTHING_COMMITTED = ("no committed policy to compare with at {revision} "
                                 "({problem}): edits of values already in force are not "
                                 "checked",
                                 "{revision} 处没有可供比较的已提交策略（git 的说明：{problem}）"
                                 "：不检查对已生效取值的修改")
    HISTORY_OLD_DOES_NOT_LOAD = ("the policy at {revision} does not load ({count} error(s)): "
                                 "edits of values already in force are not checked",
                                 "{revision} 处的策略无法加载（{count} 处错误）：不检查对已生效"
                                 "取值的修改")
    HISTORY_ALLOWED_SUMMARY = ("{count} edit(s) of values already in force (compared with "
                               "{against}), allowed by --allow-history-edit: results record "
                               "them in their policy stamp",
                               "{count} 处对已生效取值的修改（与 {against} 比较），已用 "
                               "--allow-history-edit 放行：结果会在策略标记中记下这些修改")
    HISTORY_REFUSED_SUMMARY = ("{count} edit(s) of values already in force (compared with "
                               "{against}): refused. Add a dated version instead "
                               "(docs/changing-values.md), or, for a correction, run again with "
                               "--allow-history-edit",
                               "{count} 处对已生效取值的修改（与 {against} 比较）：已拒绝。请改为"
                               "新增一个带生效日期的版本（见 docs/changing-values.md）；如果是"
                               "更正错误，请加上 --allow-history-edit 重新运行")


# The names a check calls things by ("unknown role 'x'"), in both languages.
THINGS: dict[str, Words] = {
    "role": Words("role", "角色"),
    "fact type": Words("fact type", "事实类型"),
    "case kind": Words("case kind", "案件类别"),
    "penalty": Words("penalty", "惩罚"),
    "duty": Words("duty", "职责"),
    "version": Words("version", "版本"),
    "change": Words("change", "变更"),
    "decision": Words("decision", "决策表"),
}


def thing(what: str) -> Words:
    """`role` -> Words; `attribute of X` / `value of X.y` keep X as written."""
    if what in THINGS:
        return THINGS[what]
    for prefix, zh in (("attribute of ", "的属性"), ("value of ", "的取值")):
        if what.startswith(prefix):
            name = what.removeprefix(prefix)
            return Words(what, name + " " + zh)
    return Words(what, what)


# Characters that look like a space, or like nothing, but are not the space YAML indents and
# separates with (U+0020): pasted from Word or a web page, or typed by a Chinese input method
# in full-width mode (as a regular expression's class; policy/syntax.py looks for them).
ODD_CHARACTERS = "\u00a0\u1680\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff"
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
ODD_SPACE = re.compile(f"[{ODD_CHARACTERS}]")
_NAMED = {"\u00a0": Say.CHAR_NO_BREAK_SPACE, "\u3000": Say.CHAR_FULL_WIDTH_SPACE,
          "\u200b": Say.CHAR_ZERO_WIDTH_SPACE, "\ufeff": Say.CHAR_BYTE_ORDER_MARK}


def odd_character(char: str) -> Words:
    """The name of one of ODD_CHARACTERS, for a person who cannot see it."""
    if char in _NAMED:
        return _NAMED[char]()
    code = f"U+{ord(char):04X}"
    return Say.CHAR_INVISIBLE(code=code) if char in ZERO_WIDTH else Say.CHAR_OTHER_SPACE(
        code=code)


def hint(name: str, candidates: Iterable[str]) -> Words:
    """'; did you mean X?' (or the short list of choices), or nothing. A name that is one of
    them but for a character that cannot be seen is told so: "did you mean 'reporter'" of
    a name that reads 'reporter' would not help."""
    pool = sorted(set(candidates))
    odd = ODD_SPACE.search(name)
    if odd is not None:
        seen = ODD_SPACE.sub("", name).strip()
        if seen in pool:
            return Say.UNSEEN_IN_NAME(name=seen, char=odd_character(odd.group()))
    match = closest(name, pool)
    if match:
        return Say.DID_YOU_MEAN(name=match[0])
    if pool and len(pool) <= 12:
        return Say.ONE_OF(names=", ".join(pool))
    return NOTHING


def diagnostic(location: Location, code: str, words: Words) -> Diagnostic:
    return Diagnostic(location, code, words.en, words.zh)


def place(location: Location) -> Words:
    """'line 12, column 5: ' for a located diagnostic, else nothing."""
    if location.line and location.column:
        return Say.PLACE(line=location.line, column=location.column)
    if location.line:
        return Say.PLACE_LINE(line=location.line)
    return NOTHING


def render(d: Diagnostic, lang: str) -> str:
    """`file:line:col: CODE: line 12, column 5: message` in the reader's language."""
    return f"{d.location}: {d.code}: {place(d.location).get(lang)}{d.text(lang)}"


def _in(value: Any, lang: str) -> Any:
    return value.get(lang) if isinstance(value, Words) else value


def given_words(value: Any) -> Words:
    """What kind of value was written, in words ('not {given}')."""
    if value is None:
        return Say.GIVEN_NOTHING()
    if isinstance(value, str):
        return Say.GIVEN_TEXT()
    if isinstance(value, (bool, int, float, Decimal)):
        return Say.GIVEN_NUMBER()
    if isinstance(value, (list, tuple)):
        return Say.GIVEN_LIST()
    if isinstance(value, dict):
        return Say.GIVEN_MAPPING()
    return Say.GIVEN_OTHER()
