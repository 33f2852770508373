"""Local SageMaker runtime: plays runtime.sagemaker.<region>.amazonaws.com for local endpoints.

Endpoints live in the local control plane (moto_server); `python -m local_runtime` serves them.
"""
