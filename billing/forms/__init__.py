"""Forms of the billing screens, one module per area."""
