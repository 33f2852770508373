"""Tools that keep the docs true: `python -m docs_tools.diagram` draws the deployment diagrams."""
