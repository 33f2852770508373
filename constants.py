"""Names shared by the build, the stacks, the clients and the local cloud: each spelled once.

Nothing here imports anything of the project, so every package may import it.
"""

from __future__ import annotations

# The default CloudFormation stack (and endpoint) name; a config may choose another.
STACK_NAME = "SagemakerXgbEndpoint"
APP_TAG = "sagemaker-xgb-cdk"

# The serving image is chosen by the XGBoost the build trains with: a model from another major
# version can load in the container and predict silently wrong.
XGBOOST_VERSION = "3.2.0"
IMAGE_REPOSITORY = "sagemaker-xgboost"
IMAGE_TAG = "3.2-0"

# The local cloud: moto's default account, one region, and credentials moto accepts.
LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "eu-west-2"
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

# The local runtime's own health route (not an AWS API).
RUNTIME_HEALTH_PATH = "/_local/health"

# Where synth builds the model a `model` spec names: one folder per spec (its file name's stem).
MODEL_BUILDS = "build/models"

# --- The contract between the stack and its clients: stacks/ makes these, clients/ and the local
# cloud read them, so renaming one here renames both sides.

# The stack's CfnOutput ids: the keys of DescribeStacks' Outputs and of the outputs file.
ENDPOINT_NAME_OUTPUT = "EndpointName"
INVOKE_URL_OUTPUT = "InvokeUrl"
EXECUTION_ROLE_OUTPUT = "ExecutionRoleArn"
MODEL_DATA_URL_OUTPUT = "ModelDataUrl"
LOG_GROUP_OUTPUT = "LogGroupName"
MODEL_SHA256_OUTPUT = "ModelSha256"
DATA_CAPTURE_OUTPUT = "DataCaptureUri"  # with data_capture on
BATCH_BUCKET_OUTPUT = "BatchBucketName"  # with batch_transform on
MODEL_NAME_OUTPUT = "ModelName"  # with batch_transform on
PUBLIC_API_URL_OUTPUT = "PublicApiUrl"  # with public_api on
PUBLIC_API_KEY_ID_OUTPUT = "PublicApiKeyId"  # with public_api on, auth api_key

# The tag the stack puts on its Model, EndpointConfig and Endpoint: the artefact's sha256.
SHA256_TAG = "model-sha256"

# Key prefixes in the stack's buckets; the execution role may touch nothing else.
CAPTURE_PREFIX = "data-capture"  # SageMaker writes the endpoint's captures here
BATCH_INPUT_PREFIX = "batch-input"  # transform jobs read their inputs here
BATCH_OUTPUT_PREFIX = "batch-output"  # and write their results here

# What `cdk deploy --outputs-file` writes (the Makefile's OUTPUTS) and the clients read.
OUTPUTS_FILE = "cdk-outputs.json"
