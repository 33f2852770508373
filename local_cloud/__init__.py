"""Local AWS: moto_server control plane, the local runtime, and the demo that drives the real CDK CLI against them."""
