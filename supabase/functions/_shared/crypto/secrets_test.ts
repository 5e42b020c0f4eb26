import assert from "node:assert/strict";
import { SecretBox, secretContext } from "./secrets.ts";

const key = (byte: number) => btoa(String.fromCharCode(...new Uint8Array(32).fill(byte)));
const userA = "11111111-1111-4111-8111-111111111111";
const userB = "22222222-2222-4222-8222-222222222222";

Deno.test("a secret round-trips and the stored form holds neither the plaintext nor a repeatable ciphertext", async () => {
  const box = SecretBox.fromEnv(`k1:${key(1)}`);
  const context = secretContext("auth_token", userA);
  const first = await box.encrypt("my-auth-token-0123456789abcdef", context);
  const second = await box.encrypt("my-auth-token-0123456789abcdef", context);
  assert.match(first, /^enc:v1:k1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
  assert.ok(!first.includes("my-auth-token"));
  assert.notEqual(first, second, "a fresh IV per encryption");
  // Another process with the same key: the box that encrypted remembers its plaintexts (see the next test).
  const elsewhere = SecretBox.fromEnv(`k1:${key(1)}`);
  assert.equal(await elsewhere.decrypt(first, context), "my-auth-token-0123456789abcdef");
});

Deno.test("a value this box just encrypted is read back without a decrypt, and only in its own context", async () => {
  const box = SecretBox.fromEnv(`k1:${key(1)}`);
  const context = secretContext("sip_password", userA);
  const stored = await box.encrypt("fresh-password", context);
  const decrypt = crypto.subtle.decrypt;
  let decrypts = 0;
  crypto.subtle.decrypt = (...args: Parameters<SubtleCrypto["decrypt"]>) => {
    decrypts++;
    return decrypt.apply(crypto.subtle, args);
  };
  try {
    assert.equal(await box.decrypt(stored, context), "fresh-password");
    assert.equal(decrypts, 0);
    await assert.rejects(box.decrypt(stored, secretContext("sip_password", userB)), /failed to decrypt/);
    assert.equal(decrypts, 1);
  } finally {
    crypto.subtle.decrypt = decrypt;
  }
});

Deno.test("a ciphertext moved to another user's row or column does not decrypt", async () => {
  const box = SecretBox.fromEnv(`k1:${key(1)}`);
  const stored = await box.encrypt("secret", secretContext("auth_token", userA));
  await assert.rejects(box.decrypt(stored, secretContext("auth_token", userB)), /failed to decrypt/);
  await assert.rejects(box.decrypt(stored, secretContext("sip_password", userA)), /failed to decrypt/);
});

Deno.test("a value decrypted before still needs its own context, and many values each keep their own", async () => {
  const box = SecretBox.fromEnv(`k1:${key(1)}`);
  const context = secretContext("sip_password", userA);
  const stored = await SecretBox.fromEnv(`k1:${key(1)}`).encrypt("secret", context);
  assert.equal(await box.decrypt(stored, context), "secret");
  assert.equal(await box.decrypt(stored, context), "secret");
  await assert.rejects(box.decrypt(stored, secretContext("sip_password", userB)), /failed to decrypt/);
  // Encrypted by another box, so that this one decrypts them (and forgets the oldest past its limit).
  const writer = SecretBox.fromEnv(`k1:${key(1)}`);
  const many = await Promise.all(
    Array.from({ length: 1100 }, (_, i) => writer.encrypt(`value-${i}`, context)),
  );
  for (const [i, value] of many.entries()) assert.equal(await box.decrypt(value, context), `value-${i}`);
  assert.equal(await box.decrypt(many[0], context), "value-0");
});

Deno.test("a tampered ciphertext is rejected", async () => {
  const box = SecretBox.fromEnv(`k1:${key(1)}`);
  const context = secretContext("sip_password", userA);
  const stored = await box.encrypt("secret", context);
  const flipped = stored.slice(0, -2) + (stored.at(-2) === "A" ? "B" : "A") + stored.at(-1);
  await assert.rejects(box.decrypt(flipped, context), /failed to decrypt/);
});

Deno.test("rotation: a new first key encrypts, old key ids still decrypt, and old values are flagged", async () => {
  const context = secretContext("auth_token", userA);
  const old = await SecretBox.fromEnv(`k1:${key(1)}`).encrypt("rotate-me", context);
  const rotated = SecretBox.fromEnv(`k2:${key(2)},k1:${key(1)}`);
  assert.equal(await rotated.decrypt(old, context), "rotate-me");
  assert.equal(rotated.needsRotation(old), true);
  const fresh = await rotated.encrypt("rotate-me", context);
  assert.match(fresh, /^enc:v1:k2:/);
  assert.equal(rotated.needsRotation(fresh), false);
  await assert.rejects(SecretBox.fromEnv(`k2:${key(2)}`).decrypt(old, context), /no key "k1"/);
});

Deno.test("bad key configuration fails loudly instead of encrypting weakly", () => {
  assert.throws(() => SecretBox.fromEnv(""), /not set/);
  assert.throws(() => SecretBox.fromEnv("k1:c2hvcnQ="), /32 bytes/);
  assert.throws(() => SecretBox.fromEnv(`bad id:${key(1)}`), /invalid key id/);
});

Deno.test("plaintext is recognised as not encrypted", () => {
  assert.equal(SecretBox.isEncrypted("0123456789abcdef0123456789abcdef"), false);
  assert.equal(SecretBox.isEncrypted("enc:v1:k1:aaa:bbb"), true);
});

Deno.test("a stored value names its key; plaintext names none; the active key id and prefix", async () => {
  const context = secretContext("sip_password", userA);
  const box = SecretBox.fromEnv(`k2:${key(2)},k1:${key(1)}`);
  const old = await SecretBox.fromEnv(`k1:${key(1)}`).encrypt("secret", context);
  assert.equal(SecretBox.keyIdOf(old), "k1");
  assert.equal(SecretBox.keyIdOf(await box.encrypt("secret", context)), "k2");
  assert.equal(SecretBox.keyIdOf("enc:v1:gone:aaa:bbb"), "gone", "a key no longer configured is still named");
  assert.equal(SecretBox.keyIdOf("0123456789abcdef0123456789abcdef"), null);
  assert.equal(box.activeKeyId, "k2");
  assert.equal(box.activePrefix, "enc:v1:k2:");
  assert.ok((await box.encrypt("secret", context)).startsWith(box.activePrefix));
  assert.equal(box.needsRotation("0123456789abcdef0123456789abcdef"), true, "plaintext needs sealing");
});
