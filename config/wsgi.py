import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What start-up made (Django, the apps, the URLs) lives as long as the process: moved out of the collector's
# generations, it is not walked again by every full collection, which otherwise stalls a request for tens of
# milliseconds now and then (bench/, and Python's gc.freeze documentation).
gc.freeze()
