from .celery import one_broker_wait


class OneBrokerWaitMiddleware:
    """A request waits on a broker that is down or hangs once, not once for each task it queues."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_broker_wait():
            return self.get_response(request)
