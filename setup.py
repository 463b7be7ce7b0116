"""Which files the wheel holds (everything else is in pyproject.toml).

The project keeps its icons, default policy, demo classifications and word lists in the
top-level ``resources/`` folder (beside ``dte_desktop/``, ``installers/`` and ``tests/``); the
wheel installs them as the package data ``dte_desktop/resources/`` so an installed copy finds
them next to its code (core/paths.py: resources_dir), offline.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["dte_desktop*"]), "dte_desktop.resources"],
    package_dir={"dte_desktop.resources": "resources"},
    package_data={
        "dte_desktop.resources": ["*.toml", "icons/*", "pii/*"],
        "dte_desktop.core.store": [
            "migrations/*.py",
            "migrations/*.mako",
            "migrations/versions/*.py",
        ],
    },
    include_package_data=False,
)
