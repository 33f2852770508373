"""The `idle_teardown` setting: a stack that deletes itself once its endpoint sits unused.

Off by default (a stack that can delete itself is a choice a team makes); `true` takes the
defaults; e.g. `{"after_hours": 24, "notify": "ops@example.com"}`. docs/idle-teardown.md has
the design, the permissions and what a user must have bootstrapped.
"""

from __future__ import annotations

from stacks.settings.values import Integer, SettingsModel, setting

# 30 days: past that the teardown no longer saves the month it exists to save.
MAX_IDLE_HOURS = 720
NOTIFY_ALLOWED = "'create' (a topic in this stack), an SNS topic ARN, or an email address"
EMAIL_PATTERN = r"[^@\s\"]+@[^@\s\"]+\.[A-Za-z]{2,}"
NOTIFY_PATTERN = (
    rf"^(create|arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{{12}}:[A-Za-z0-9_-]{{1,256}}|{EMAIL_PATTERN})$"
)


def is_email(notify: str) -> bool:
    return "@" in notify


class IdleTeardownSettings(SettingsModel):
    """Delete the stack, endpoint first, after this many hours without an invocation."""

    after_hours: Integer = setting(
        24,
        "Hours without a single invocation (CloudWatch Invocations, summed over the window) "
        "before the stack deletes itself; the clock starts again at every deploy.",
        unit="hours",
        ge=1,
        le=MAX_IDLE_HOURS,
    )
    notify: str = setting(
        "create",
        'Who is told: "create" makes a TLS-only topic in this stack (subscribe to it), an ARN '
        "notifies your topic (kept when the stack goes: the surest to reach you), an email "
        "address subscribes it to a created topic (confirm the email AWS sends).",
        allowed=NOTIFY_ALLOWED,
        pattern=NOTIFY_PATTERN,
    )
