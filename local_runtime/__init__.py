"""Local SageMaker runtime: plays runtime.sagemaker.<region>.amazonaws.com for endpoints in the local control plane."""
