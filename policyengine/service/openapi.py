"""What the OpenAPI description says: the fact body (from the policy) and response shapes.

The response models document; they do not filter. Endpoints return the engine's own
`to_dict()` output, so a field the engine adds appears without a change here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policyengine.engine.compiled import CompiledPolicy
from policyengine.service.ingest import MAX_ID_LENGTH


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(_Open):
    code: str = Field(description="stable, the same in every language: match on this")
    message: str = Field(description="for a person: Chinese or English (?lang=, else "
                                     "Accept-Language, else the policy's language)")


class ErrorBody(_Open):
    error: ErrorDetail


class FactError(_Open):
    code: str
    message: str


class ItemResult(_Open):
    index: int
    id: str | None
    status: Literal["stored", "duplicate", "rejected", "not_stored"]
    line: int | None = None
    errors: list[FactError] | None = None


class BatchResult(_Open):
    stored: int
    duplicate: int
    rejected: int
    not_stored: int
    results: list[ItemResult]


class StoredFactOut(_Open):
    id: str
    seq: int
    received_at: str
    sender: str | None
    fact: dict[str, Any]


class Identity(_Open):
    content_hash: str
    files: list[str]
    git_revision: str | None
    pack: str | None = None


class PolicyInfo(_Open):
    pack: str | None  # the pack of a folder of packs (docs/decisions.md D22), else null
    id: str
    name: str
    version: str
    timezone: str
    identity: Identity | None
    loaded_at: str
    fact_types: dict[str, dict[str, Any]]
    duties: list[dict[str, Any]]


class Penalty(_Open):
    rule: str
    schedule: str
    amount: int | float | None
    forfeit: bool


class Violation(_Open):
    id: str
    duty: str
    duty_name: str
    case: str | None
    person: str | None
    role: str
    due: str
    fulfilled_at: str | None
    fulfilled_by: str | None
    late_by: str
    late_seconds: int
    month: str
    trigger: dict[str, Any] | None
    penalty: Penalty
    explanation: list[str]
    status: Literal["late", "missed", "prohibited"] = Field(
        description="late or missed: a duty; prohibited: `duty` is a prohibition and "
                    "`trigger` the fact it forbids")


class Obligation(_Open):
    duty: str
    duty_name: str
    case: str | None
    person: str | None
    role: str
    due: str
    overdue: bool
    opened_at: str


class Pending(_Open):
    """An obligation whose deadline needs working days of a year the calendar lacks."""

    key: str
    duty: str
    duty_name: str
    case: str | None
    person: str | None
    role: str
    opened_at: str
    trigger: dict[str, Any] | None
    missing_year: int
    due_not_before: str
    status: Literal["waiting", "fulfilled"]
    fulfilled_at: str | None
    fulfilled_by: str | None


class PersonTotal(_Open):
    person: str | None
    amount: int | float
    forfeit: bool
    violations: int
    lines: list[dict[str, Any]]


class Window(_Open):
    period: str | None
    as_of: str
    policy: dict[str, Any]
    facts: int
    pending_calendar: int = Field(description="how many obligations wait for a calendar year "
                                              "not yet published (all of them, any person)")
    pending: list[Pending] = Field(description="those obligations (only the person's, on "
                                               "routes that take a person)")


class ViolationList(Window):
    count: int
    violations: list[Violation]


class ObligationList(Window):
    count: int
    obligations: list[Obligation]


class PeopleList(Window):
    people: list[PersonTotal]


class PersonView(Window):
    person: str
    total: PersonTotal | None
    violations: list[Violation]
    obligations: list[Obligation]


class Explanation(_Open):
    id: str
    duty: str
    case: str | None
    person: str | None
    due: str
    explanation: list[str]


class Report(_Open):
    period: str | None
    period_start: str | None
    period_end: str | None
    as_of: str
    policy: dict[str, Any]
    violations: list[dict[str, Any]]
    people: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    rewards: list[dict[str, Any]]
    merits: list[dict[str, Any]]
    pending: list[Pending]
    stats: dict[str, Any]
    notes: list[Any]


class Health(_Open):
    status: Literal["ok"]


class AdminStatus(_Open):
    store: dict[str, Any]
    policy: dict[str, Any]
    facts_in_memory: int
    unreadable_facts: list[dict[str, Any]]
    cache: dict[str, int]
    limits: dict[str, float]
    tokens: list[dict[str, Any]]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(description="where events are POSTed: http:// or https:// (https in "
                                 "production; the body names people and cases)",
                     examples=["https://hr.example.com/policyengine-hook"])
    secret: str = Field(min_length=16, max_length=512,
                        description="the HMAC key of `X-Policyengine-Signature`: at least 16 "
                                    "characters. Kept by the service, never shown again")
    description: str = Field("", max_length=200, description="a note for admins")


class WebhookOut(_Open):
    id: str
    url: str
    description: str
    origin: Literal["api", "command line"]
    created_at: str


class WebhookList(_Open):
    subscriptions: list[WebhookOut]
    deliveries: dict[str, int] = Field(description="deliveries by state: pending, "
                                                   "delivered, dead")
    events: int = Field(description="events recorded so far")
    last_scan: str | None = Field(description="the as-of of this process's last scan")


class DeadLetter(_Open):
    id: int = Field(description="the delivery's id, for .../{id}/retry")
    event: str
    key: str = Field(description="the obligation's key")
    idempotency_key: str
    subscription: str
    attempts: int
    last_error: str | None
    failed_at: str
    recorded_at: str


class DeadLetterList(_Open):
    count: int
    dead_letters: list[DeadLetter]


class RetryAnswer(_Open):
    id: int
    state: Literal["pending"]


class WebhookObligation(_Open):
    key: str = Field(description="the obligation's identity: duty|case|what opened it")
    duty: str
    duty_name: str
    case: str | None
    person: str | None
    role: str
    status: str = Field(description="open, late, missed, met, or (pending calendar data) "
                                    "waiting / fulfilled")


class WebhookSummary(_Open):
    zh: str
    en: str


class WebhookEvent(_Open):
    """The body POSTed to a subscription. Headers: `X-Policyengine-Event` (the type),
    `X-Policyengine-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the
    subscription's secret>`, `Idempotency-Key` (the same as `id`: the same on every retry),
    `X-Policyengine-Delivery`. Answer 2xx to acknowledge; anything else is retried."""

    id: str = Field(description="stable per event (type and obligation): the idempotency key")
    type: Literal["obligation.opened", "obligation.fulfilled", "obligation.violated",
                  "obligation.pending_calendar"]
    as_of: str = Field(description="the moment of the evaluation that found the event")
    obligation: WebhookObligation
    summary: WebhookSummary


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Documented error responses, all of the `ErrorBody` shape."""
    text = {400: "the request is not usable (a parameter unknown, repeated or malformed; "
                 "the body's shape)",
            401: "no token, or an unknown token",
            403: "the token lacks the scope this operation needs",
            404: "no such resource",
            409: "the stored facts cannot be evaluated as asked (e.g. a year without "
                 "calendar data), or the store refused",
            413: "the body or the batch is over the limit",
            422: "the input is not valid",
            503: "the database is unavailable; nothing was acknowledged"}
    return {status: {"model": ErrorBody, "description": text[status]} for status in statuses}


def fact_schema(policy: CompiledPolicy) -> dict[str, Any]:
    """JSON Schema of one fact under the policy: one variant per fact type."""
    model = policy.model
    patterns = {name: kind.pattern for name, kind in model.cases.items()}
    variants = []
    for name, spec in model.fact_types.items():
        props: dict[str, Any] = {
            "id": {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH,
                   "description": "unique id; the same fact sent again is stored once"},
            "type": {"type": "string", "enum": [name]},
            "at": {"type": "string", "minLength": 10,
                   "description": "when it happened, ISO 8601; without an offset: "
                                  f"{model.calendar.timezone}",
                   "examples": ["2026-10-09T10:30:00+08:00", "2026-10-09 10:30"]},
        }
        required = ["id", "type", "at"]
        if spec.case != "none":
            kinds = list(patterns) if spec.case == "any" else [spec.case]
            pattern = "|".join(f"(?:{patterns[k]})" for k in kinds)
            props["case"] = {"type": "string", "pattern": pattern,
                             "description": f"{' or '.join(kinds)} id"}
            required.append("case")
        props["actor"] = {"type": "string", "minLength": 1, "description": "who did it"}
        if spec.actor == "required":
            required.append("actor")
        conditions = []
        for attr, aspec in spec.attributes.items():
            props[attr] = _attribute(aspec.type, aspec.values, policy)
            if aspec.description:
                props[attr]["description"] = aspec.description
            if aspec.required:
                required.append(attr)
            for other, values in (aspec.required_when or {}).items():
                conditions.append({"if": {"properties": {other: {"enum": list(values)}},
                                          "required": [other]},
                                   "then": {"required": [attr]}})
        variant: dict[str, Any] = {"type": "object", "title": name, "properties": props,
                                   "required": required, "additionalProperties": False}
        if spec.name:
            variant["description"] = spec.name
        if conditions:
            variant["allOf"] = conditions
        variants.append(variant)
    return {"oneOf": variants}


def _attribute(kind: str, values: tuple[str, ...] | None, policy: CompiledPolicy) -> dict[str, Any]:
    if kind == "date":
        return {"type": "string", "description": "a date, YYYY-MM-DD",
                "examples": ["2026-10-23"]}
    if kind == "enum" and values:
        return {"type": "string", "enum": list(values)}
    if kind == "tier":
        return {"type": "string", "enum": list(policy.model.urgency_tiers)}
    if kind == "role":
        return {"type": "string", "enum": list(policy.model.roles)}
    return {"type": "string", "minLength": 1}
