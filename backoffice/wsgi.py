import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
application = get_wsgi_application()

# What a worker loaded to start (settings, apps, models, middleware) lives as long as
# the process. Frozen, it is no longer scanned by every full garbage collection:
# a report of 5,000 rows otherwise pays 50-100 ms for a collection now and then.
gc.freeze()
