"""Local AWS: moto_server as control plane, the local runtime, and the demo that drives the real
CDK CLI against them."""
