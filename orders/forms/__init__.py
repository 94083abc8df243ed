"""Forms of the sales office screens, one module per area (customers, inquiries, quotes,
orders, shipments) plus the shared pickers in `fields`."""
