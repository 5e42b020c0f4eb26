import assert from "node:assert/strict";
import { constantTimeEqual } from "./auth.ts";

Deno.test("constantTimeEqual: equal only for the same string, whatever the lengths and characters", () => {
  const cases: [string, string, boolean][] = [
    ["sb_secret_abc", "sb_secret_abc", true],
    ["", "", true],
    ["sb_secret_abc", "sb_secret_abd", false],
    ["sb_secret_abc", "sb_secret_ab", false],
    ["sb_secret_ab", "sb_secret_abc", false],
    ["", "x", false],
    ["xsecret", "ysecret", false],
    ["schlüssel", "schlüssel", true],
    ["schlüssel", "schlussel", false],
    ["\u0000", "", false],
  ];
  for (const [a, b, equal] of cases) {
    assert.equal(constantTimeEqual(a, b), equal, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});
