"""The pure domain of the complaint lifecycle: states, the transition table, guards and effects."""
