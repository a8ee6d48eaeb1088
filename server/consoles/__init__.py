"""The staff consoles, one module each: the clerk's (呼叫器, /clerk/), the manager's (/manage/),
the guide editor (/manage/guides/) and administration (/admin/). They sit beside the device
packages `kiosk/` and `board/`, above the shared page helpers in `server/web/`.
"""
