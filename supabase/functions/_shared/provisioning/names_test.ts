import assert from "node:assert/strict";
import {
  credentialListNameFor,
  domainNameFor,
  domainPrefixFor,
  generateSipPassword,
  isAcceptedSipPassword,
  sipUsernameFor,
  trunkFriendlyNameFor,
} from "./names.ts";

const userId = "3f0c9a4e-8b1d-4c2e-9f7a-0123456789ab";
const DOMAIN_RULE = /^[a-z0-9-]{1,63}\.pstn\.twilio\.com$/;

Deno.test("the domain is user-{userId}-{timestamp}.pstn.twilio.com and a valid DNS label", () => {
  const prefix = domainPrefixFor(userId, 1732400000000);
  assert.equal(prefix, `user-${userId}-1732400000000`);
  assert.match(domainNameFor(prefix), DOMAIN_RULE);
});

Deno.test("a long or odd user id is shortened and cleaned so the label stays within 63 characters", () => {
  const long = "x".repeat(80) + "_ÜBER.id";
  for (const suffix of ["", "a1b2"]) {
    const prefix = domainPrefixFor(long, 1732400000000, suffix);
    assert.ok(prefix.length <= 63, `${prefix} is ${prefix.length} characters`);
    assert.match(domainNameFor(prefix), DOMAIN_RULE);
    assert.ok(prefix.endsWith(suffix ? `-1732400000000-${suffix}` : "-1732400000000"));
  }
});

Deno.test("friendly names stay within Twilio's 64 characters and differ per user", () => {
  assert.equal(trunkFriendlyNameFor(userId), `main-trunk-${userId}`);
  assert.ok(trunkFriendlyNameFor("u".repeat(100)).length <= 64);
  assert.ok(credentialListNameFor("u".repeat(100)).length <= 64);
  assert.notEqual(credentialListNameFor(userId), credentialListNameFor(crypto.randomUUID()));
});

Deno.test("the SIP username is sip-{userId} shortened to Twilio's 32 characters, deterministically", () => {
  const username = sipUsernameFor(userId);
  assert.equal(username, "sip-3f0c9a4e8b1d4c2e9f7a01234567");
  assert.equal(username.length, 32);
  assert.equal(sipUsernameFor(userId), username);
  assert.equal(sipUsernameFor("abc"), "sip-abc");
});

Deno.test("10,000 generated passwords: Twilio's rules hold and form encoding leaves every one untouched", () => {
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) {
    const password = generateSipPassword();
    assert.equal(password.length, 24);
    assert.ok(isAcceptedSipPassword(password), password);
    assert.equal(new URLSearchParams({ Password: password }).toString(), `Password=${password}`);
    assert.equal(encodeURIComponent(password), password);
    seen.add(password);
    for (const char of password) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  assert.equal(seen.size, 10_000, "no repeats");
  // 240,000 draws over 62 characters: each should appear about 3,871 times; a biased draw would stand out.
  assert.equal(counts.size, 62);
  for (const [char, count] of counts) {
    assert.ok(count > 3400 && count < 4350, `${char} appeared ${count} times`);
  }
});

Deno.test("the acceptance rule rejects what Twilio rejects", () => {
  assert.equal(isAcceptedSipPassword("Short1a"), false);
  assert.equal(isAcceptedSipPassword("alllowercase123"), false);
  assert.equal(isAcceptedSipPassword("ALLUPPERCASE123"), false);
  assert.equal(isAcceptedSipPassword("NoDigitsHereAtAll"), false);
  assert.equal(isAcceptedSipPassword("GoodPassword123"), true);
});
