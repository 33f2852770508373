"""Clients for a deployed endpoint: boto3, raw SigV4 HTTP, and a teardown check."""
