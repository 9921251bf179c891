"""The service catalog and the organisation chart, as data: models and their TOML loaders."""
