// Per-object validation, as protocol's livekit/sip.go and sip_validation.go define it (each check names its
// source); emulator-only strictness is marked as such. Every failure is Twirp `invalid_argument`.
import type {
  ListUpdate,
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SIPOutboundTrunkInfo,
} from "@livekit/protocol";
import type { Behaviour } from "./behaviour.ts";
import { invalidArgument } from "./errors.ts";
import { isE164 } from "./phone-numbers.ts";

/** sip_validation.go: RFC 3261 token characters. */
const HEADER_NAME = /^[0-9A-Za-z\-.!%*_+`'~]+$/;
/** sip_validation.go: printable ASCII, tab, and any non-ASCII character. */
const HEADER_VALUE = /^[\t\x20-\x7e\u0080-\u{10ffff}]*$/u;
/** sip_validation.go FrobiddenSipHeaderNames: headers LiveKit sets itself, with their compact forms. */
const FORBIDDEN_HEADERS = new Set([
  "accept",
  "accept-encoding",
  "accept-language",
  "allow",
  "allow-events",
  "call-id",
  "contact",
  "content-encoding",
  "content-length",
  "content-type",
  "cseq",
  "event",
  "expires",
  "from",
  "max-forwards",
  "record-route",
  "refer-to",
  "reply-to",
  "k",
  "l",
  "m",
  "o",
  "r",
  "t",
  "u",
  "v",
]);

function validateHeaderName(name: string): void {
  if (name === "") throw invalidArgument("invalid header name: header name cannot be empty");
  if (name.length > 255) {
    throw invalidArgument("invalid header name: header name too long (max 255 characters)");
  }
  if (!HEADER_NAME.test(name)) {
    throw invalidArgument(`invalid header name: header name ${name} contains invalid characters`);
  }
  if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
    throw invalidArgument(`invalid header name: header name ${name} not supported`);
  }
}

/** sip.go validateHeaders, validateAttributesToHeaders, validateHeaderToAttributes. */
function validateHeaderMaps(info: {
  headers: Record<string, string>;
  headersToAttributes: Record<string, string>;
  attributesToHeaders: Record<string, string>;
}): void {
  for (const [name, value] of Object.entries(info.headers)) {
    validateHeaderName(name);
    if (value.length > 1024) {
      throw invalidArgument(`invalid header value for ${name}: value too long (max 1024 characters)`);
    }
    if (!HEADER_VALUE.test(value)) {
      throw invalidArgument(`invalid header value for ${name}: char not allowed`);
    }
  }
  for (const name of Object.values(info.attributesToHeaders)) validateHeaderName(name);
  for (const name of Object.keys(info.headersToAttributes)) validateHeaderName(name);
}

/**
 * sip.go validateHostnameFormat: a hostname or IP, not a SIP URI. `host:port` passes, as in the source.
 * Emulator-only: whitespace is refused too (a pasted address with a stray space cannot be dialled).
 */
function validateHostname(value: string, field: string): void {
  if (value.includes("transport=")) throw invalidArgument(`${field} should not contain transport parameter`);
  if (/[@;]/.test(value) || value.startsWith("sip:") || value.startsWith("sips:")) {
    throw invalidArgument(`${field} should be a hostname or IP, not SIP URI`);
  }
  if (/\s/.test(value)) throw invalidArgument(`${field} should be a hostname or IP, without whitespace`);
}

/** sip.go SIPInboundTrunkInfo.Validate, plus E.164 numbers (facts file; `requireE164InboundNumbers`). */
export function validateInboundTrunk(info: SIPInboundTrunkInfo, behaviour: Behaviour): void {
  const hasAuth = info.authUsername !== "" || info.authPassword !== "";
  if (!hasAuth && info.allowedAddresses.length === 0 && info.numbers.length === 0) {
    throw invalidArgument(
      "for security, one of the fields must be set: AuthUsername+AuthPassword, AllowedAddresses or Numbers",
    );
  }
  if (behaviour.requireE164InboundNumbers) {
    const bad = info.numbers.find((num) => !isE164(num));
    if (bad !== undefined) {
      throw invalidArgument(`trunk number "${bad}" is not a valid phone number (E.164 with a leading +)`);
    }
  }
  validateHeaderMaps(info);
}

/** sip.go SIPOutboundTrunkInfo.Validate. */
export function validateOutboundTrunk(info: SIPOutboundTrunkInfo): void {
  if (info.numbers.length === 0) throw invalidArgument("no trunk numbers specified");
  if (info.address === "") throw invalidArgument("no outbound address specified");
  validateHostname(info.address, "trunk address");
  validateHostname(info.fromHost, "from_host");
  validateHeaderMaps(info);
}

/**
 * sip.go SIPDispatchRuleInfo.Validate ("missing rule"). A rule object with none of direct/individual/callee set
 * fails later in the server (sip.go GetPinAndRoom, answered as `unknown`); the emulator refuses it here.
 */
export function validateDispatchRule(info: SIPDispatchRuleInfo): void {
  if (!info.rule) throw invalidArgument("missing rule");
  if (info.rule.rule.case === undefined) throw invalidArgument("Unsupported SIP Dispatch Rule: <nil>");
}

/** types.go ListUpdate.Validate. */
export function validateListUpdate(update: ListUpdate | undefined): void {
  if (!update) return;
  const changes = update.set.length + update.add.length + update.remove.length > 0;
  if (!update.clear && !changes) throw invalidArgument("unsupported list update operation");
  if (update.clear && changes) throw invalidArgument("cannot clear and change the list at the same time");
  if (update.set.length > 0 && update.add.length + update.remove.length > 0) {
    throw invalidArgument("cannot set and change the list at the same time");
  }
  if ([...update.set, ...update.add, ...update.remove].includes("")) {
    throw invalidArgument("empty element in the list");
  }
}
