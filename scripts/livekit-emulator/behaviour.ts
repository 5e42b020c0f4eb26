// Switches for the points where LiveKit's behaviour is not settled by the sources the emulator follows
// (README "Open points"). Defaults follow livekit-server's source unless the facts file says otherwise.

export interface Behaviour {
  /**
   * How a token without the `sip.admin` grant is refused. livekit-server answers 401 `unauthenticated`
   * "permissions denied" (`twirpAuthError(EnsureSIPAdminPermission)`); "permission_denied" answers 403 instead.
   */
  missingGrant: "unauthenticated" | "permission_denied";
  /**
   * How a token that fails verification (bad signature, expired, unknown key) is refused. livekit-server's
   * auth middleware answers 401 with a plain-text body ("text"); "twirp" answers 401 `unauthenticated` JSON.
   */
  invalidToken: "text" | "twirp";
  /** Inbound trunk numbers must be E.164 with `+` (facts file). Off: any non-empty string, as the OSS server. */
  requireE164InboundNumbers: boolean;
  /** A dispatch rule naming a trunk id that does not exist is refused. Off by default: the server does not check. */
  rejectUnknownTrunkIds: boolean;
}

export interface EmulatorConfig extends Behaviour {
  /** Added before every Twirp request is handled (not admin requests). */
  latencyMs: number;
}

export function defaultConfig(): EmulatorConfig {
  return {
    missingGrant: "unauthenticated",
    invalidToken: "text",
    requireE164InboundNumbers: true,
    rejectUnknownTrunkIds: false,
    latencyMs: 0,
  };
}
