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
