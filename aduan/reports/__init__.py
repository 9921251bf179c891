"""Supervision and evaluation: statistics, documents, SKM/IKM survey, yearly evaluation."""
