"""Deadlines and escalation: working-day calendar, deadline policy, breach rules, the sweep."""
