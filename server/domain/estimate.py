"""People ahead and the estimated wait shown on the kiosk ticket and the phone page."""

from __future__ import annotations

import math

#: Used until a service has finished tickets today to learn from.
DEFAULT_SERVICE_SECONDS = 300


def estimated_wait_s(people_ahead: int, avg_service_s: float | None, serving_windows: int) -> int:
    """Seconds until the citizen is likely called.

    People ahead are served in parallel by the windows serving the service; with no window
    open the estimate assumes one will open (it never promises "0").
    """
    if people_ahead < 0:
        raise ValueError("people_ahead cannot be negative")
    per_ticket = avg_service_s if avg_service_s and avg_service_s > 0 else DEFAULT_SERVICE_SECONDS
    windows = max(serving_windows, 1)
    rounds = math.ceil(people_ahead / windows)
    return int(rounds * per_ticket)
