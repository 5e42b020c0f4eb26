// Voice Recording Encryption as Twilio describes it: media encrypted with AES-256-GCM under a per-recording
// content key (CEK), the CEK encrypted with the account's public key, and `encryption_details` on the
// recording carrying the public key SID, the encrypted CEK and the IV. Derived from the recording SID, so a
// recording's ciphertext and details never change between requests.
import { createCipheriv, createHash } from "node:crypto";
import type { EncryptionDetails } from "./store.ts";

const RSA_2048_CIPHERTEXT_BYTES = 256;

function digest(label: string, recordingSid: string): Uint8Array {
  return createHash("sha256").update(`${label}:${recordingSid}`).digest();
}

function contentKey(recordingSid: string): Uint8Array {
  return digest("cek", recordingSid);
}

function iv(recordingSid: string): Uint8Array {
  return digest("iv", recordingSid).slice(0, 12);
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** What the recording's JSON shows; the "encrypted" CEK is opaque bytes of an RSA-2048 ciphertext's size. */
export function encryptionDetailsFor(recordingSid: string): EncryptionDetails {
  const wrappedKey = new Uint8Array(RSA_2048_CIPHERTEXT_BYTES);
  for (let offset = 0; offset < wrappedKey.length; offset += 32) {
    wrappedKey.set(digest(`wrapped-cek-${offset}`, recordingSid), offset);
  }
  return {
    encryption_public_key_sid: `CR${createHash("md5").update(recordingSid).digest("hex")}`,
    encryption_cek: base64(wrappedKey),
    encryption_iv: base64(iv(recordingSid)),
  };
}

/** The media as an encrypted recording serves it: ciphertext then the GCM tag, undecodable as audio. */
export function encryptMedia(recordingSid: string, media: Uint8Array): Uint8Array<ArrayBuffer> {
  const cipher = createCipheriv("aes-256-gcm", contentKey(recordingSid), iv(recordingSid));
  const encrypted = cipher.update(media);
  const final = cipher.final();
  const tag = cipher.getAuthTag();
  const bytes = new Uint8Array(encrypted.length + final.length + tag.length);
  bytes.set(encrypted);
  bytes.set(final, encrypted.length);
  bytes.set(tag, encrypted.length + final.length);
  return bytes;
}
