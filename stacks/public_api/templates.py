"""The public API's response templates: what API Gateway writes for each kind of answer.

Integration response templates are VTL; gateway response templates are plain substitution. Each
says in the gateway's words what `stacks.public_api.contract.map_runtime_response` says in Python.
"""

from __future__ import annotations

from stacks.public_api.contract import (
    GATEWAY_FAILED_MESSAGE,
    INVALID_BODY_MESSAGE,
    MODEL_ERROR,
    MODEL_FAILED_MESSAGE,
    MODEL_SERVER_ERROR_STATUS,
    RUNTIME_MESSAGE_KEYS,
    THROTTLED_MESSAGE,
    THROTTLING_MARKERS,
    TOO_LARGE_MESSAGE,
    ResponseRule,
    message_body,
)

# The runtime's ModelError carries the container's status and body. A container 4xx is the
# caller's mistake: answer 400 with the handler's own JSON body; anything else is a 502.
MODEL_ERROR_TEMPLATE = f"""#set($original = $input.path('$.OriginalStatusCode'))
#if("$!original" != "" && $original >= 400 && $original < 500)
$input.path('$.OriginalMessage')
#else
#set($context.responseOverride.status = {MODEL_SERVER_ERROR_STATUS})
{message_body(MODEL_FAILED_MESSAGE).decode()}
#end"""
# A runtime error other than ModelError: its text is in `Message` (`message` on some front-end
# errors). A throttled call becomes 429; anything else the gateway's 502 with the runtime's text.
_THROTTLED = " || ".join(f'$text.contains("{m}")' for m in THROTTLING_MARKERS)
RUNTIME_FAILURE_TEMPLATE = f"""#set($upper = "$!{{input.path('$.{RUNTIME_MESSAGE_KEYS[0]}')}}")
#set($lower = "$!{{input.path('$.{RUNTIME_MESSAGE_KEYS[1]}')}}")
#if($upper != "")#set($text = $upper.toLowerCase())#else#set($text = $lower.toLowerCase())#end
#if({_THROTTLED})
#set($context.responseOverride.status = 429)
{message_body(THROTTLED_MESSAGE).decode()}
#elseif($upper != "")
{{"message": "{GATEWAY_FAILED_MESSAGE}", "detail": $input.json('$.{RUNTIME_MESSAGE_KEYS[0]}')}}
#elseif($lower != "")
{{"message": "{GATEWAY_FAILED_MESSAGE}", "detail": $input.json('$.{RUNTIME_MESSAGE_KEYS[1]}')}}
#else
{message_body(GATEWAY_FAILED_MESSAGE).decode()}
#end"""
# Gateway response templates are plain substitution (no VTL); API Gateway escapes the validator's
# text for JSON.
BAD_BODY_TEMPLATE = (
    f'{{"message": "{INVALID_BODY_MESSAGE}", "detail": "$context.error.validationErrorString"}}'
)


def response_template(rule: ResponseRule) -> str:
    if rule is MODEL_ERROR:
        return MODEL_ERROR_TEMPLATE
    if rule.status == 413:
        return message_body(TOO_LARGE_MESSAGE).decode()
    if rule.status == 429:
        return message_body(THROTTLED_MESSAGE).decode()
    return RUNTIME_FAILURE_TEMPLATE
