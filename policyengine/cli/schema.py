"""`policyengine schema`: print the JSON Schema of the policy format (for editors)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from policyengine.policy.schema import policy_json_schema


def register(commands: Any) -> None:
    parser = commands.add_parser("schema", help="print the JSON Schema of policy files")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(policy_json_schema(), ensure_ascii=False, indent=2))
    return 0
