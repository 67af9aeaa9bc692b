def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: starts the CLI and the Dagster UI (deselect with -m 'not slow')"
    )
