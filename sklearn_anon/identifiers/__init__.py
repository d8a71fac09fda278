"""Direct identifiers: find them, drop them, or replace them by keyed pseudonyms.

* :func:`detect_pii` profiles a table column by column (by name *and*
  content, on a sample) and suggests a role for each column: direct
  identifier, quasi-identifier, sensitive, other.
* :class:`PIIDetector` runs that detection in ``fit`` and drops the direct
  identifiers in ``transform``.
* :class:`Pseudonymizer` replaces values by keyed, deterministic pseudonyms
  (HMAC-SHA256, keyed BLAKE2b or PBKDF2-HMAC-SHA256) that the data owner can
  recompute with the key, and a partner cannot reverse without it.
* :class:`FakeReplacer` replaces identifiers by realistic fake values of the
  same kind (extra ``fake``: Faker), the same input always giving the same
  surrogate under the same key.
* :class:`KeyedAssigner` assigns each row one of ``choices`` from a keyed
  hash of an id column (reproducible A/B or offer assignment).
* :class:`ColumnObfuscator` renames columns to keyed opaque names (the same
  names for next month's file under the same key), optionally in a keyed
  order; its data dictionary is sealed by :func:`sklearn_anon.cli.write_dictionary`.
* :class:`TextRedactor` masks e-mails, phone numbers, card numbers, IPs,
  IBANs, SSNs and person names inside free text (offline, with a name
  lexicon drawn from Faker and shipped with the package; Presidio as an
  optional backend).

Secrets (``key``, ``salt``) are given as bytes, str, or ``"env:NAME"``.  With
a reference only the name is stored, so a pickled pipeline does not hold the
key; it is read from the environment each time ``transform`` runs.  A literal
key is hidden from ``repr`` but is pickled with the estimator (it is one of
its parameters): use a reference for anything you persist.  ``fit`` stores a
keyed fingerprint of the key (``key_fingerprint_``, HMAC-SHA256 of a fixed
label under the key), and every ``transform`` refuses a key that does not
match it (a rotated environment variable, a stale worker process): refit to
change keys.  No key is cached anywhere; worker processes get the resolved
key from the caller for each call.

Missing values (NaN/None) stay missing in every transformer here; empty
strings stay empty strings (there is no identifier to hide in them).

The package's modules (private; import from here):

* ``_detect``: :func:`detect_pii` and :class:`PIIDetector`;
* ``_pseudonymizer``: :class:`Pseudonymizer`, :class:`FrequencyAttackWarning`
  and :class:`PseudonymCollisionWarning`;
* ``_keyed_assigner``: :class:`KeyedAssigner`;
* ``_column_obfuscator``: :class:`ColumnObfuscator`;
* ``_fake``: :class:`FakeReplacer` and its Faker word pools;
* ``_text_redactor``: :class:`TextRedactor` and its span finder (also used
  by ``detect_pii`` for free-text columns);
* ``_lexicon``: the person-name lexicon (``data/names.txt.gz``, generated
  by ``tools/build_name_lexicon.py`` from Faker's name lists, MIT), read
  lazily;
* ``_common``: helpers shared by several of them (literal secrets hidden
  from ``repr``, text columns factorized and normalized, the base of the
  transformers that are not one-to-one);
* ``_patterns``: content patterns, column-name hints, secrets and keyed
  hashing (formerly ``sklearn_anon._pii_patterns``, now a shim for pickles).
"""

from ._column_obfuscator import ColumnObfuscator
from ._detect import PIIDetector, detect_pii
from ._fake import FakeReplacer
from ._keyed_assigner import KeyedAssigner
from ._pseudonymizer import FrequencyAttackWarning, PseudonymCollisionWarning, Pseudonymizer
from ._text_redactor import TextRedactor

__all__ = [
    "ColumnObfuscator",
    "FakeReplacer",
    "FrequencyAttackWarning",
    "KeyedAssigner",
    "PIIDetector",
    "PseudonymCollisionWarning",
    "Pseudonymizer",
    "TextRedactor",
    "detect_pii",
]
