"""The `public_api` setting: an API Gateway REST API in front of the endpoint (off by default).

`true` takes the defaults; an object sets any of the fields, e.g.
`{"auth": "iam", "rate_limit": 2.5, "burst_limit": 5}`.
"""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import model_validator

from stacks.settings.errors import refuse
from stacks.settings.values import Integer, Number, SettingsModel, setting

AuthMode = Literal["api_key", "iam"]
QuotaPeriod = Literal["DAY", "WEEK", "MONTH"]
AccountLoggingRole = Literal["create", "existing"]
AUTH_MODES: tuple[str, ...] = get_args(AuthMode)
QUOTA_PERIODS: tuple[str, ...] = get_args(QuotaPeriod)
# API Gateway's account-level default is 10,000 requests/s and a burst of 5,000.
MAX_RATE_LIMIT = 10_000
MAX_BURST_LIMIT = 5_000
MAX_QUOTA_LIMIT = 1_000_000_000


class PublicApiSettings(SettingsModel):
    """A modest default: 10 requests/s, bursts of 20, 10,000 a day per key."""

    auth: AuthMode = setting(
        "api_key",
        "api_key: callers send x-api-key, bound to a usage plan; iam: callers sign with SigV4 "
        "(service execute-api) and need execute-api:Invoke.",
    )
    rate_limit: Number = setting(
        10.0,
        "Requests per second, on the stage and on the usage plan.",
        unit="requests/s",
        ge=0.1,
        le=MAX_RATE_LIMIT,
    )
    burst_limit: Integer = setting(
        20,
        "Burst of requests, on the stage and on the usage plan; at least rate_limit.",
        ge=1,
        le=MAX_BURST_LIMIT,
    )
    quota_limit: Integer = setting(
        10_000, "Requests per key per quota_period.", ge=1, le=MAX_QUOTA_LIMIT
    )
    quota_period: QuotaPeriod = setting("DAY", "The period quota_limit counts over.")
    stage_name: str = setting(
        "v1",
        "The URL's stage: POST /<stage>/predict.",
        allowed="a stage name (letters, digits, underscores; at most 128)",
        pattern=r"^[A-Za-z0-9_]{1,128}$",
    )
    account_logging_role: AccountLoggingRole = setting(
        "create",
        "API Gateway's account-level CloudWatch Logs role, one per account and region, without "
        "which the stage's access logs cannot be created. create: a role with AWS's "
        "AmazonAPIGatewayPushToCloudWatchLogs policy, set on the account "
        "(AWS::ApiGateway::Account; it replaces any role set before) and kept on destroy, "
        "since other APIs may log through it. existing: the account already has one (set by "
        "your platform team, say); the stack leaves the account setting alone.",
    )

    @model_validator(mode="after")
    def _burst_covers_rate(self) -> Self:
        """public_api.burst_limit is at least public_api.rate_limit."""
        if self.burst_limit < self.rate_limit:
            message = f"allowed at least rate_limit ({self.rate_limit:g}); given {self.burst_limit}"
            refuse([("public_api.burst_limit", message)])
        return self
