"""Forms of the inventory screens, one module per area."""
