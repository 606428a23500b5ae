"""No personal data in application logs: every log record has its phone numbers masked.

Installed as the log-record factory at app and worker start, so it covers every
logger and every handler, also those a server (gunicorn) adds later. Message bodies
are kept out by not logging them at all; the engine hides SQL parameters
(service/store/db.py), and the SDK and SQL loggers that would print request data or
result rows are held at a level where they do not.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from service.domain.privacy.redact import mask_numbers

_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
_formatter = logging.Formatter()

# Loggers that would print request parameters (numbers) or result rows (bodies).
QUIETER = {"twilio.http_client": logging.WARNING, "twilio.async_http_client": logging.WARNING}
NO_ROWS = ("sqlalchemy.engine", "sqlalchemy.engine.Engine")


def mask_text(text: str) -> str:
    return _SQL_PARAMETERS.sub("[parameters: hidden]", mask_numbers(text))


def mask_record(record: logging.LogRecord) -> None:
    """Render the message now, masked, so no handler sees the raw arguments."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is reported by the handler as usual
        return
    record.msg, record.args = mask_text(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_text(_formatter.formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)


def install_log_masking() -> None:
    """Mask every record created from now on in this process (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "rinnalla_masking", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        mask_record(record)
        return record

    factory.rinnalla_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
    for name, level in QUIETER.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < level:
            logger.setLevel(level)
    for name in NO_ROWS:
        logger = logging.getLogger(name)
        if logger.level != logging.NOTSET and logger.level < logging.INFO:
            logger.setLevel(logging.INFO)  # DEBUG would print result rows
