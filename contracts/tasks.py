"""Celery tasks: thin wrappers around the services (eager unless a broker is configured)."""

from celery import shared_task

from .services import contracts_remind, contracts_roll


@shared_task
def contracts_daily() -> dict:
    """Celery beat, every morning: renew or expire the contracts past their term, then remind
    of those ending or reaching their notice date soon."""
    rolled = contracts_roll()
    return {**rolled, "reminded": contracts_remind()}
