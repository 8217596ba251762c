"""Pure analyses over the network: no I/O, no printing, inputs never mutated."""
