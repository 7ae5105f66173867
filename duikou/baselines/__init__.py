"""Baseline taggers behind one interface (:mod:`duikou.baselines.base`) and one registry
(:mod:`duikou.baselines.registry`): rules, CRF and a BERT-type token classifier."""
