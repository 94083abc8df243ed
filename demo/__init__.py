"""The demo data loader (`manage.py load_demo`, run by `make demo`). It may import every
app; nothing imports it (tests/test_architecture.py checks)."""
