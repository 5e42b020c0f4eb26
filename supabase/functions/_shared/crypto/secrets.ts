/**
 * Application-level encryption of the secrets we store (Twilio auth tokens, SIP passwords): AES-256-GCM through
 * WebCrypto, so the database, its dumps and its logs only ever hold ciphertext.
 *
 * Keys come from the ENCRYPTION_KEYS function secret: `kid:base64key[,kid:base64key...]`, 32-byte keys, the first
 * one encrypts, every one decrypts (rotate by putting a new key first; `needsRotation` finds values to rewrite and
 * `deno task rotate-keys` rewrites them).
 * Each value is `enc:v1:<kid>:<iv>:<ciphertext>` (base64url) and is bound to a context (column and owner) as
 * additional data, so a ciphertext copied into another user's row does not decrypt.
 *
 * The active key also yields signing keys (HKDF, one per purpose) for tokens we hand out and must get back
 * unchanged; rotating the key retires them.
 *
 * ```ts
 * const box = SecretBox.fromEnv();
 * const stored = await box.encrypt("s3cret", secretContext("auth_token", userId));
 * const plain = await box.decrypt(stored, secretContext("auth_token", userId));
 * const hmac = await box.signingKey("recording-info page token");
 * ```
 */
import * as base64url from "jose/base64url";
import { encryptionKeysFromEnv } from "../config.ts";

const PREFIX = "enc:v1:";

export type SecretColumn = "auth_token" | "sip_password";

export const secretContext = (column: SecretColumn, userId: string) =>
  `user_twilio_credentials.${column}:${userId}`;

/**
 * How many plaintexts (decrypted, or just encrypted) a box remembers. get-sip-config answers the same users over
 * and over, and one WebCrypto decrypt costs about as much CPU as the rest of such a request together (a thread hop
 * per call); the process holds the keys anyway, so keeping recent plaintexts adds nothing an attacker inside it
 * would lack.
 */
const RECENT_DECRYPTS = 1024;

export class SecretBox {
  readonly #keys: Map<string, Promise<CryptoKey>>;
  readonly #activeKeyId: string;
  /** Recently decrypted values by context and ciphertext, least recently used first. */
  readonly #recent = new Map<string, string>();
  /** The active key's bytes, HKDF input of the signing keys (imported on first use), which are kept by purpose. */
  readonly #activeRaw: Uint8Array<ArrayBuffer>;
  #derivationKey?: Promise<CryptoKey>;
  readonly #signingKeys = new Map<string, Promise<CryptoKey>>();

  constructor(keys: { id: string; raw: Uint8Array }[]) {
    if (keys.length === 0) throw new Error("ENCRYPTION_KEYS must hold at least one key");
    for (const { id, raw } of keys) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`ENCRYPTION_KEYS: invalid key id "${id}"`);
      if (raw.length !== 32) {
        throw new Error(`ENCRYPTION_KEYS: key "${id}" must be 32 bytes (base64 of 32 bytes)`);
      }
    }
    this.#activeKeyId = keys[0].id;
    this.#keys = new Map(keys.map(({ id, raw }) => [
      id,
      crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-GCM", false, [
        "encrypt",
        "decrypt",
      ]),
    ]));
    this.#activeRaw = keys[0].raw as Uint8Array<ArrayBuffer>;
  }

  static fromEnv(value = encryptionKeysFromEnv()): SecretBox {
    if (!value) throw new Error("ENCRYPTION_KEYS is not set");
    return new SecretBox(
      value.split(",").map((entry) => {
        const [id, key] = entry.trim().split(":");
        return { id, raw: keyBytes(id, key ?? "") };
      }),
    );
  }

  static isEncrypted(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** The id of the key a stored value was encrypted with; null for plaintext. */
  static keyIdOf(stored: string): string | null {
    return SecretBox.isEncrypted(stored) ? stored.slice(PREFIX.length).split(":")[0] : null;
  }

  /** The id of the key that encrypts (the first one). */
  get activeKeyId(): string {
    return this.#activeKeyId;
  }

  /** How every value encrypted with the active key starts: queries look for the others with it. */
  get activePrefix(): string {
    return `${PREFIX}${this.#activeKeyId}:`;
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await this.#keys.get(this.#activeKeyId)!;
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
      key,
      new TextEncoder().encode(plaintext),
    );
    const stored = `${PREFIX}${this.#activeKeyId}:${base64url.encode(iv)}:${
      base64url.encode(new Uint8Array(sealed))
    }`;
    // What was just stored is often read back at once (a new row's first provisioning run): no decrypt for it.
    this.#remember(`${context}\n${stored}`, plaintext);
    return stored;
  }

  async decrypt(stored: string, context: string): Promise<string> {
    const cacheKey = `${context}\n${stored}`;
    const recent = this.#recent.get(cacheKey);
    if (recent !== undefined) {
      this.#recent.delete(cacheKey);
      this.#recent.set(cacheKey, recent);
      return recent;
    }
    const plaintext = await this.#decrypt(stored, context);
    this.#remember(cacheKey, plaintext);
    return plaintext;
  }

  #remember(cacheKey: string, plaintext: string) {
    this.#recent.set(cacheKey, plaintext);
    if (this.#recent.size > RECENT_DECRYPTS) this.#recent.delete(this.#recent.keys().next().value!);
  }

  async #decrypt(stored: string, context: string): Promise<string> {
    const [kid, iv, sealed] = stored.startsWith(PREFIX) ? stored.slice(PREFIX.length).split(":") : [];
    if (!kid || !iv || !sealed) throw new Error("value is not an encrypted secret");
    const key = this.#keys.get(kid);
    if (!key) throw new Error(`no key "${kid}" in ENCRYPTION_KEYS to decrypt this value`);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes(iv), additionalData: new TextEncoder().encode(context) },
      await key,
      bytes(sealed),
    ).catch(() => {
      throw new Error("secret failed to decrypt (wrong key or context, or tampered)");
    });
    return new TextDecoder().decode(plain);
  }

  /** An HMAC-SHA256 key for `purpose` alone (its HKDF info), derived from the active key. */
  signingKey(purpose: string): Promise<CryptoKey> {
    let key = this.#signingKeys.get(purpose);
    if (!key) {
      this.#derivationKey ??= crypto.subtle.importKey("raw", this.#activeRaw, "HKDF", false, ["deriveKey"]);
      key = this.#derivationKey.then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new TextEncoder().encode(purpose) },
          base,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign", "verify"],
        )
      );
      this.#signingKeys.set(purpose, key);
    }
    return key;
  }

  /** True when the value was encrypted with a key other than the active one, or is plaintext. */
  needsRotation(stored: string): boolean {
    return !stored.startsWith(this.activePrefix);
  }
}

const bytes = (text: string) => base64url.decode(text) as Uint8Array<ArrayBuffer>;

/** A key as `openssl rand -base64 32` writes it (standard alphabet, padded); base64url is taken too. */
function keyBytes(id: string, key: string): Uint8Array {
  try {
    return base64url.decode(key.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_"));
  } catch {
    throw new Error(`ENCRYPTION_KEYS: key "${id}" is not base64`);
  }
}
