"""The resolution cache: the hot path stays off the control plane, changes show after the TTL."""

from __future__ import annotations

import pytest

from local_runtime.resolver import CachedResolver, Deployment, EndpointNotFound, ModelSpec


def _deployment(model: str) -> Deployment:
    spec = ModelSpec(model_name=model, model_data_url=f"s3://b/{model}.tar.gz", environment=())
    return Deployment(endpoint_name="e", config_name=f"c-{model}", variant_name="v", model=spec)


class ControlPlaneState:
    """What the control plane answers now, and how often it was asked."""

    def __init__(self) -> None:
        self.current: Deployment | None = _deployment("m1")
        self.lookups = 0

    def lookup(self, name: str) -> Deployment:
        self.lookups += 1
        if self.current is None:
            raise EndpointNotFound(name)
        return self.current


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def state() -> ControlPlaneState:
    return ControlPlaneState()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_repeated_requests_within_the_ttl_ask_the_control_plane_once(
    state: ControlPlaneState, clock: Clock
) -> None:
    resolver = CachedResolver(state.lookup, ttl=1.0, clock=clock)
    for _ in range(50):
        resolver.resolve("e")
    assert state.lookups == 1


@pytest.mark.parametrize(("elapsed", "sees_new_model"), [(0.99, False), (1.0, True), (5.0, True)])
def test_a_redeploy_shows_once_the_ttl_has_passed(
    state: ControlPlaneState, clock: Clock, elapsed: float, sees_new_model: bool
) -> None:
    resolver = CachedResolver(state.lookup, ttl=1.0, clock=clock)
    resolver.resolve("e")
    state.current = _deployment("m2")
    clock.now += elapsed
    assert (resolver.resolve("e").model.model_name == "m2") is sees_new_model


def test_a_missing_endpoint_is_cached_as_missing_too(
    state: ControlPlaneState, clock: Clock
) -> None:
    state.current = None
    resolver = CachedResolver(state.lookup, ttl=1.0, clock=clock)
    for _ in range(3):
        with pytest.raises(EndpointNotFound):
            resolver.resolve("e")
    assert state.lookups == 1


@pytest.mark.parametrize(
    ("next_state", "calls"),
    [
        pytest.param(_deployment("m2"), 1, id="moved-to-another-model"),
        pytest.param(None, 1, id="deleted"),
        pytest.param(_deployment("m1"), 0, id="same-model"),
    ],
)
def test_the_change_hook_fires_when_an_endpoint_leaves_its_model(
    state: ControlPlaneState, clock: Clock, next_state: Deployment | None, calls: int
) -> None:
    fired: list[None] = []
    resolver = CachedResolver(
        state.lookup, ttl=0, clock=clock, on_change=lambda: fired.append(None)
    )
    resolver.resolve("e")
    state.current = next_state
    with pytest.raises(EndpointNotFound) if next_state is None else _no_error():
        resolver.resolve("e")
    assert len(fired) == calls
    expected = set() if next_state is None else {next_state.model}
    assert resolver.models_in_use() == expected


class _no_error:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
