"""What the settings know about SageMaker hosting instances (a library cannot know this)."""

from __future__ import annotations

import difflib
import re
from typing import Annotated

from pydantic import AfterValidator, Strict
from pydantic_core import PydanticCustomError

DEFAULT_INSTANCE_TYPE = "ml.m5.large"
DEFAULT_INSTANCE_COUNT = 1
MAX_INSTANCE_COUNT = 20

# Families SageMaker real-time hosting offers (ml.<family>.<size>); a typo gets a suggestion.
INSTANCE_FAMILIES = (
    "t2", "t3", "m4", "m5", "m5d", "m6i", "m6id", "m6g", "m6gd", "m7i", "m7g",
    "c4", "c5", "c5d", "c6i", "c6id", "c6g", "c6gd", "c6gn", "c7i", "c7g",
    "r5", "r5d", "r6i", "r6id", "r6g", "r6gd", "r7i", "r7g", "r8g",
    "g4dn", "g5", "g6", "g6e", "p3", "p4d", "p4de", "p5", "p5e", "inf1", "inf2", "trn1", "trn1n",
)  # fmt: skip
INSTANCE_SIZES = (
    "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "9xlarge", "12xlarge",
    "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal",
)  # fmt: skip
# The same set as a pattern, for the JSON Schema (the validator below adds "did you mean").
INSTANCE_TYPE_PATTERN = rf"^ml\.({'|'.join(INSTANCE_FAMILIES)})\.({'|'.join(INSTANCE_SIZES)})$"
INSTANCE_TYPE_ALLOWED = "ml.<family>.<size>, e.g. ml.m5.large, with a family SageMaker hosts"

# A `d` after the generation digit means local NVMe instance storage: m5d, c6id, r6gd, g4dn, p4d.
_NVME_FAMILY = re.compile(r"^[a-z]+\d+[a-z]*d[a-z]*$")


def has_local_nvme(instance_type: str) -> bool:
    parts = instance_type.split(".")
    return len(parts) == 3 and bool(_NVME_FAMILY.fullmatch(parts[1]))


def _known_instance_type(value: str) -> str:
    parts = value.split(".")
    known = len(parts) == 3 and parts[1] in INSTANCE_FAMILIES and parts[2] in INSTANCE_SIZES
    if known and parts[0] == "ml":
        return value
    candidates = [f"ml.{f}.{s}" for f in INSTANCE_FAMILIES for s in INSTANCE_SIZES]
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.8)
    raise PydanticCustomError(
        "instance_type",
        "not an instance type SageMaker hosts",
        {"hint": f" (did you mean {close[0]!r}?)" if close else ""},
    )


InstanceType = Annotated[str, Strict(), AfterValidator(_known_instance_type)]
