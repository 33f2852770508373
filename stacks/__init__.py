"""CDK stacks and constructs for the XGBoost endpoint."""
