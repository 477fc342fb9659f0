import os

from django.core.wsgi import get_wsgi_application

from publicity import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicity.settings")

application = get_wsgi_application()
collector.settle()  # what is loaded by now serves every request
