"""A Vertica test server: Vertica's wire protocol in front of PostgreSQL (see README.md).

Reproduced, as the real ``vertica-python`` 1.4 client checks it:

* startup with protocol 3.x and the client's parameters (``protocol_version`` answered as
  3.16, ``binary_data_protocol``, ``autocommit``, ``protocol_features``), ParameterStatus
  (``server_version``, ``protocol_version``, ``timezone``, ``auto_commit``,
  ``request_complex_types``), BackendKeyData, ReadyForQuery with the transaction state;
* TLS and load-balance requests refused with ``N``; cancel requests (pid + key) cancel the
  session's running PostgreSQL statement (SQLSTATE 57014);
* authentication: trust, cleartext password, MD5 (``md5`` + MD5(MD5(pw+user)+salt)) and
  SHA-512 with a 16-byte user salt (``sha512`` + SHA512(SHA512(pw+usersalt)+salt)); a wrong
  password or unknown user gets FATAL 3781 "Invalid username or password", SQLSTATE 28000;
  an unknown database FATAL 3D000;
* simple query (several statements per message), extended query (Parse/Describe/Bind/
  Execute/Sync/Close with ``?`` placeholders, ParameterDescription, CommandDescription);
* Vertica's RowDescription (type pool, 64-bit table OID, parent attribute numbers when
  complex types are on) and type codes; text and binary result formats (``vtypes.py``) for
  INT, FLOAT, NUMERIC(p,s) to 38 digits, CHAR/VARCHAR/LONG VARCHAR, BOOLEAN, DATE, TIME, TIMETZ,
  TIMESTAMP, TIMESTAMPTZ, INTERVAL DAY TO SECOND / YEAR TO MONTH, UUID, BINARY/VARBINARY/LONG
  VARBINARY and 1-D arrays (Vertica's JSON text in both formats);
* ``COPY … FROM STDIN`` (``cursor.copy``): CopyInResponse, CopyData/CopyDone/CopyFail, with
  DELIMITER, ENCLOSED BY, NULL and SKIP mapped onto PostgreSQL's COPY (``translate.py``);
* DML answered with one ``OUTPUT`` row holding the count; ErrorResponse with Vertica's SQLSTATEs
  (42V01 for a missing relation, …); statement-level rollback inside a transaction;
* ``v_catalog`` (schemata, tables, views, columns, view_columns, primary_keys, projections,
  all_tables) and ``v_monitor.projection_storage`` as PostgreSQL views (``catalog.py``);
* the SQL rewrites of ``translate.py``: HASH, APPROXIMATE_COUNT_DISTINCT,
  APPROXIMATE_PERCENTILE/MEDIAN, TABLESAMPLE, LIMIT … OVER, version(), Vertica DDL types.

Not reproduced (only a real Vertica proves these):

* TLS itself, Kerberos/GSS, OAuth, LDAP, password expiry/grace, load balancing to other nodes;
* COPY LOCAL and ``EXPORT TO …``; COPY's rejected rows (one bad row fails the whole COPY, as in
  PostgreSQL; Vertica loads the rest unless ABORT ON ERROR), its parsers and other options;
* in binary transfer, a result holding arrays (or a type ``vbinary`` lacks) comes in text;
* Vertica's own values of HASH() (only its properties: deterministic, 0 ≤ x < 2^63) and the
  approximation error of APPROXIMATE_* (the answers here are exact);
* epochs (AT EPOCH), projections beyond one super projection per table, segmentation, K-safety,
  ROS/WOS, deleted-row counts in ``projection_storage``, resource pools, system tables outside
  the views listed above;
* Vertica's error texts (PostgreSQL's are sent, with Vertica's SQLSTATE) and its exact error
  codes beyond 3781/5463; SET inside a rolled-back transaction is undone (PostgreSQL rule);
* ``LIMIT … OVER`` adds a trailing ``dte_rn`` column; types PostgreSQL lacks keep no length;
  row/set/map complex types, GEOMETRY/GEOGRAPHY, BC or infinite timestamps in binary form.
"""

from tests.vertica_server.server import Faults, User, VerticaTestServer

__all__ = ["Faults", "User", "VerticaTestServer"]
