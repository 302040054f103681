"""Structured logs: a line logged after the logging is configured (as every app and CLI run
does, again and again in one test process) is seen by structlog's capture, whatever was
logged before."""

from __future__ import annotations

import logging

from structlog.testing import capture_logs

from sprocket.logs import configure_logging, log


def test_lines_after_configuration_are_captured_even_once_the_logger_was_used():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(fmt="json", level="info")
        log.info("logs.first_use")  # a cached logger would keep these processors...
        configure_logging(fmt="json", level="info")  # ...and miss the next configuration's
        with capture_logs() as logs:
            log.warning("logs.after_first_use", detail=1)
    finally:
        root.handlers[:], root.level = handlers, level
    assert [entry["event"] for entry in logs] == ["logs.after_first_use"]
    assert logs[0]["detail"] == 1
