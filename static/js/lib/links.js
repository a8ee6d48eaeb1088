/* hallq — the addresses of the device pages (kiosk, boards, a ticket's QR code) the pages link to. */
const enc = encodeURIComponent;

export const pages = {
  kiosk: (hall) => "/kiosk/" + enc(hall),
  hallBoard: (hall) => "/board/" + enc(hall),
  windowBoard: (hall, id) => "/board/" + enc(hall) + "/window/" + id,
  ticketQr: (id) => "/t/" + enc(id) + "/qr.svg",
};
