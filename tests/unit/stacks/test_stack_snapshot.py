"""One snapshot of the whole template: any change to a resource or the artefact shows in review.

Update on purpose with `make snapshot-update` (pytest --snapshot-update) and commit the .ambr.
"""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from tests.support.cdk import Synthesized


def test_template_matches_snapshot(default_synth: Synthesized, snapshot: SnapshotAssertion) -> None:
    assert default_synth.json == snapshot
