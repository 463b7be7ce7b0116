"""DTE Desktop: profile, preview (masked) and export SQL data on air-gapped workstations."""

__version__ = "0.1.0"
APP_NAME = "dte-desktop"
