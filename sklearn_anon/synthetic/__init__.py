"""Differentially private synthetic data and fake identities.

* :class:`DPSynthesizer` learns a differentially private generative model of
  a table (MST family, McKenna, Miklau & Sheldon 2021) and samples a fully
  synthetic table of any size from it.
* :func:`make_fake_pii` makes realistic fake identities (name, gender,
  birth date, address, phone, email, national id) per country and year, for
  test systems (extra ``fake``: ``pip install sklearn-anon[fake]``).

What lives where (private modules):

* ``_synthesizer.py``: :class:`DPSynthesizer` (fit, model, sampling plan);
* ``_schema.py``: column kinds, domains, binning and encoding of columns
  into codes, and decoding of sampled codes;
* ``_mst.py``: the MST engine (zCDP accounting, Gaussian and exponential
  mechanisms, projection, raking, vectorized conditional sampling);
* ``_fake_pii.py``: :func:`make_fake_pii` and its Faker helpers;
* ``_common.py``: the random generator shared by both.
"""

from ._fake_pii import make_fake_pii
from ._synthesizer import DPSynthesizer

__all__ = ["DPSynthesizer", "make_fake_pii"]
