/** Base64url without padding, as stored secrets and the tokens we hand out are written. */
export function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Either base64 alphabet, padded or not (ENCRYPTION_KEYS holds standard base64). */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/");
  try {
    return Uint8Array.from(
      atob(normal.padEnd(Math.ceil(normal.length / 4) * 4, "=")),
      (c) => c.charCodeAt(0),
    );
  } catch {
    throw new Error("invalid base64");
  }
}
