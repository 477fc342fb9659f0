"""A cap on the files a request may carry, counted as they arrive rather than taken from the headers."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitHandler(FileUploadHandler):
    """Stops reading a request's files once their bytes pass `limit` (settings.REQUEST_MAX_BYTES
    unless told otherwise), whatever the request declared. The rest of the body is left unread: the
    connection is closed rather than drained, so a 100 MB upload costs the limit, not 100 MB.

    Files complete before the limit stay in request.FILES; `exceeded` and `file_name` tell the view
    which file was cut off.
    """

    def __init__(self, request=None, limit=None):
        super().__init__(request)
        self.limit = settings.REQUEST_MAX_BYTES if limit is None else limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one store the file
