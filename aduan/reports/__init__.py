"""Supervision and evaluation: statistics, written reports as documents, SKM/IKM, yearly evaluation."""
