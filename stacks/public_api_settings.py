"""The `public_api` setting: off by default; `true` or an object turns the API Gateway front on.

    "public_api": {"auth": "api_key", "rate_limit": 10, "burst_limit": 20,
                   "quota_limit": 10000, "quota_period": "DAY", "stage_name": "v1"}

Every field is optional. Registered in `stacks/config.py`, so its problems are reported with all
the others, each as "key: allowed ...; given ...".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from typing import Any

from stacks.settings_base import Parser, Problems

AUTH_MODES = ("api_key", "iam")
QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")
# API Gateway's account-level default is 10,000 requests/s and a burst of 5,000.
MAX_RATE_LIMIT = 10_000
MAX_BURST_LIMIT = 5_000
MAX_QUOTA_LIMIT = 1_000_000_000
_STAGE_NAME = re.compile(r"^[A-Za-z0-9_]{1,128}$")


@dataclass(frozen=True, kw_only=True)
class PublicApiSettings:
    """A modest default: 10 requests/s, bursts of 20, 10,000 a day per key."""

    auth: str = "api_key"
    rate_limit: float = 10.0
    burst_limit: int = 20
    quota_limit: int = 10_000
    quota_period: str = "DAY"
    stage_name: str = "v1"


FIELD_NAMES = tuple(f.name for f in fields(PublicApiSettings))


def parse_public_api(key: str, value: object, problems: Problems) -> PublicApiSettings | None:
    """None (off) for false/null; defaults for true; else an object of the fields above.

    `-c public_api=true` or `-c 'public_api={"auth": "iam"}'` arrive as strings: read as JSON.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            problems.add(key, "true, false or a JSON object of public API settings", value)
            return None
    if value is None or value is False:
        return None
    if value is True:
        return PublicApiSettings()
    if not isinstance(value, dict):
        problems.add(key, "true, false or an object of public API settings", value)
        return None

    before = len(problems.messages)  # any problem below means no settings object
    unknown = sorted(set(value) - set(FIELD_NAMES))
    if unknown:
        problems.add(key, f"only the fields {', '.join(FIELD_NAMES)}", unknown)
    parsed: dict[str, Any] = {}
    for name, raw in value.items():
        if name in FIELD_NAMES:
            parsed[name] = _FIELD_PARSERS[name](f"{key}.{name}", raw, problems)
    if len(problems.messages) > before:
        return None
    settings = PublicApiSettings(**parsed)
    if settings.burst_limit < settings.rate_limit:
        problems.add(
            f"{key}.burst_limit",
            f"at least rate_limit ({settings.rate_limit:g})",
            settings.burst_limit,
        )
        return None
    return settings


def _choice(options: tuple[str, ...]) -> Parser:
    def parse(key: str, raw: object, problems: Problems) -> str | None:
        if raw not in options:
            problems.add(key, "one of " + ", ".join(options), raw)
            return None
        return str(raw)

    return parse


def _number(lo: float, hi: float, *, integer: bool) -> Parser:
    def parse(key: str, raw: object, problems: Problems) -> float | int | None:
        number = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
        if number is None or (integer and not isinstance(number, int)) or not lo <= number <= hi:
            kind = "an integer" if integer else "a number"
            problems.add(key, f"{kind} from {lo:g} to {hi:g}", raw)
            return None
        return int(number) if integer else float(number)

    return parse


def _stage_name(key: str, raw: object, problems: Problems) -> str | None:
    if not isinstance(raw, str) or not _STAGE_NAME.fullmatch(raw):
        problems.add(key, "a stage name (letters, digits, underscores; at most 128)", raw)
        return None
    return raw


_FIELD_PARSERS: dict[str, Parser] = {
    "auth": _choice(AUTH_MODES),
    "rate_limit": _number(0.1, MAX_RATE_LIMIT, integer=False),
    "burst_limit": _number(1, MAX_BURST_LIMIT, integer=True),
    "quota_limit": _number(1, MAX_QUOTA_LIMIT, integer=True),
    "quota_period": _choice(QUOTA_PERIODS),
    "stage_name": _stage_name,
}
assert set(_FIELD_PARSERS) == set(FIELD_NAMES), "every public API field needs a parser"
