"""Every step with its meaning: `policyengine steps` and `pytest --policyengine-steps`."""

from __future__ import annotations

from collections.abc import Mapping

from policyengine.bdd.steps import SHIPPED_WORDS, STEPS
from policyengine.bdd.vocabulary import KEYWORDS, KIND_MEANING, KINDS, Registry
from policyengine.policy.model import Policy

Words = Mapping[str, Mapping[str, str]]  # lang -> {"fact": ..., "roles": ..., "attributes": ...}

_TITLES = {"zh": "policyengine 场景步骤（# language: zh-CN）",
           "en": "policyengine scenario steps (# language: en)"}
_NOTES = {
    "zh": ["写法宽松：全角标点（：，）和中文旁的空格不影响匹配；「并且」「但是」沿用上一个关键字。",
           "{…} 处填写内容；[…] 里的部分可写可不写。"],
    "en": ["Spacing and full-width punctuation do not matter; 'And' / 'But' continue the "
           "previous keyword.", "Fill in the {...} parts; a [...] part is optional."],
}


def pack_words(policy: Policy) -> dict[str, dict[str, str]]:
    """A fact type, the roles a scenario can give someone (those held by assignment) and the
    attributes its fact table can have, of one pack, for the step list."""
    roles = [(rid, spec.name) for rid, spec in policy.roles.items() if spec.assigned]
    attributes = sorted({a for spec in policy.fact_types.values() for a in spec.attributes})
    fact = next((name for name, spec in policy.fact_types.items()
                 if name != "role.assigned"), "-")  # a pack's own fact type, not the built-in
    return {
        "zh": {"fact": fact,
               "roles": "、".join(f"{rid} {name}" if name else rid for rid, name in roles),
               "attributes": "、".join(attributes)},
        "en": {"fact": fact, "roles": ", ".join(rid for rid, _ in roles),
               "attributes": ", ".join(attributes)},
    }


def _filled(doc: str, words: Mapping[str, str]) -> str:
    for key, value in words.items():
        doc = doc.replace("{" + key + "}", value or "-")
    return doc


def render(lang: str = "all", registry: Registry = STEPS, markdown: bool = False,
           words: Words = SHIPPED_WORDS) -> str:
    """Every step, grouped by keyword, in one language ('zh', 'en') or both ('all'); the
    roles and attributes named are `words` (a pack's: `pack_words`)."""
    langs = ["zh", "en"] if lang == "all" else [lang]
    out: list[str] = []
    for code in langs:
        keywords = KEYWORDS[code]
        out.append(("## " if markdown else "") + _TITLES[code])
        out.append("")
        out.extend(("- " if markdown else "  ") + note for note in _NOTES[code])
        out.append("")
        for kind in KINDS:
            heading = f"{keywords[kind]} — {KIND_MEANING[code][kind]}"
            out.append(("### " if markdown else "") + heading)
            out.append("")
            for step in registry.steps:
                if step.kind != kind:
                    continue
                templates = step.templates_in(code)
                for template in templates:
                    shown = f"{keywords[kind]} {template.display()}"
                    out.append(f"- `{shown}`" if markdown else f"  {shown}")
                extra = []
                if step.table == "required":
                    extra.append("（下面接一个表格）" if code == "zh" else "(a table follows)")
                if step.docstring == "required":
                    extra.append('（下面接 """ 文字）' if code == "zh"
                                 else '(a """ doc string follows)')
                doc = _filled(step.doc.get(code, ""), words[code])
                indent = "  " if markdown else "      "
                out.append(f"{indent}{doc}{' ' + ' '.join(extra) if extra else ''}")
                example = templates[0].example
                out.append(f"{indent}" + (f"例：{keywords[kind]} {example}" if code == "zh"
                                          else f"e.g. {keywords[kind]} {example}"))
                out.append("")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def docs_section(lang: str) -> str:
    """The generated tail of docs/writing-scenarios.<lang>.md (from its marker comment on)."""
    return render(lang, markdown=True)


if __name__ == "__main__":  # python -m policyengine.bdd.catalog [zh|en|all] [--markdown]
    import sys

    args = sys.argv[1:]
    print(render(next((a for a in args if a in ("zh", "en", "all")), "all"),
                 markdown="--markdown" in args), end="")
