from celery import shared_task


@shared_task(name="publicity.ping", time_limit=10, soft_time_limit=5, ignore_result=False)
def ping():
    """Answers "pong": proves a worker takes tasks from the broker (tests, diagnostics)."""
    return "pong"
