"""Everything the application does, usable without a screen. Never imports Qt."""
