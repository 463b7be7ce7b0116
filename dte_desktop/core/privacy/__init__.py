"""core/privacy: PII detectors, classification, masking operators and the masking policy.

Qt-free. The usual entry points:

* ``detect_pii(values, column)`` / ``detect_columns(batch)`` -> ``PiiFinding | None``
* ``ColumnClassification``, ``Level``, ``parse_level``, ``most_sensitive``
* ``default_policy()``, ``load_policy(path)``, ``merge_policies(site, user)``
* ``apply_policy(batch, classifications, policy, key)`` -> (masked batch, operator per column)
"""
