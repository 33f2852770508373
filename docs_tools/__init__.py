"""Tools that keep the docs true: `python -m docs_tools.diagram` draws the deployment diagrams,
`python -m docs_tools.settings_reference` writes the settings' schema and reference."""
