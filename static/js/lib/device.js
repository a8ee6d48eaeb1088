/* hallq — the device token of a board or kiosk page. */

function keyOf(role, hall) {
  return "hallq:token:" + role + ":" + hall;
}

/** The token remembered for this role and hall on this browser, or null. */
export function storedDeviceToken(role, hall) {
  try { return window.localStorage.getItem(keyOf(role, hall)); } catch (e) { return null; }
}

/**
 * The device token of this page: `?token=` in the URL wins and is remembered per hall and
 * role in localStorage, so a board that reboots to the bare URL keeps working. The token is
 * then removed from the address bar so it is not left on screen.
 */
export function deviceToken(role, hall) {
  const key = keyOf(role, hall);
  const params = new URLSearchParams(window.location.search);
  const fromUrl = params.get("token");
  const stored = storedDeviceToken(role, hall);
  if (fromUrl) {
    try { window.localStorage.setItem(key, fromUrl); } catch (e) { /* private mode: URL only */ }
    params.delete("token");
    const qs = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : "") + window.location.hash);
    } catch (e) { /* ignore */ }
    return fromUrl;
  }
  return stored;
}
