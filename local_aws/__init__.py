"""moto_server with small, named patches that make its answers match AWS for what this app does.

`python -m local_aws -H 127.0.0.1 -p PORT` is `moto_server` after `patches.apply_all()`. Each
patch is one function whose docstring names the AWS behaviour it restores; the list, and what is
documented instead, is in docs/local-cloud-divergences.md. Emulator side: it imports moto and
nothing of `local_cloud`.
"""
