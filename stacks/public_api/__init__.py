"""The public API: `construct.py` (the `PublicApi` construct), `contract.py` (what it accepts and
answers, shared with the local emulation) and `templates.py` (its response templates).

Callers import the module they need: the contract is plain data that the emulator imports
without CDK, so this package root imports nothing.
"""
