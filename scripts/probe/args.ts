/**
 * The live probe's command line: flags, Twilio credentials, the LiveKit project and settings from env, the usage
 * and refusal texts.
 */
import { parseFlags, UsageError } from "../operator/args.ts";
import { type LiveKitConfig, provisioningConfigFromEnv } from "../../supabase/functions/_shared/config.ts";

export const USAGE =
  `Usage: TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… deno task probe --yes-create-resources [options]

Runs the whole product flow against a real Twilio account through the service code (provision, SIP config,
verify, recording, drift and repair, numbers, deprovision), with LIVEKIT_* also the LiveKit side in a real
LiveKit project, then records how Twilio behaves where its docs are silent, prints a report, and removes
everything it created. Use a sub-account.

Options:
  --yes-create-resources           required: agree to create (and then delete) Twilio resources; run
                                   without it to see which
  --number +1… | PN…               also attach and detach this number of the account (its voice settings are
                                   put back at the end); calls to it reach the probe's trunk meanwhile
  --suspended-subaccount AC…:TOKEN also record what Twilio answers a suspended sub-account's credentials
  --db-url URL                     database for the service (default: SUPABASE_DB_URL, then DATABASE_URL, else a
                                   throw-away PostgreSQL started for the run)
  --json                           print the report as JSON
  --verbose                        print the service's log lines (JSON, secrets redacted) on stderr
  -h, --help                       this text

Environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (required); TWILIO_API_BASE_URL, TWILIO_TRUNKING_BASE_URL
(default Twilio's; the emulator's to rehearse); ENCRYPTION_KEYS (required with a database given);
LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET (all three or none: the LiveKit project whose side the probe
also covers; without them its LiveKit steps are skipped); LIVEKIT_SIP_URI, LIVEKIT_SIP_URI_FALLBACK,
LIVEKIT_AGENT_NAME, TRUNK_RECORDING_MODE and the other settings as the functions have them.

Exit status: 0 every flow step that ran passed and everything was removed, 1 otherwise, 2 bad usage or
refused, 130 interrupted.`;

export const REFUSAL =
  `deno task probe creates real resources in the Twilio account, so it needs --yes-create-resources.

It will create, and delete again before it exits (also on failure or Ctrl-C):
  - Elastic SIP trunks: the main trunk the service provisions, and up to three scratch trunks for the behaviour
    checks, each with its own new *.pstn.twilio.com domain (Twilio keeps a deleted domain reserved for 30 days);
  - credential lists with one SIP credential, and the main trunk's origination URLs;
  - with --number: attaches that number to the probe's trunks for about a minute, then puts back its voice URL,
    method, application or trunk;
  - with LIVEKIT_* and --number, in that LiveKit project: the outbound trunk, inbound trunk (holding the number)
    and dispatch rule the service makes for a customer, named twilio-<throw-away user id>-….
It places no calls and buys no numbers: trunks, lists, origination URLs and LiveKit's SIP trunks and rules cost
nothing while they exist.
Use a sub-account, so that nothing the probe does can touch the numbers and trunks customers use.

Anything it cannot remove is listed by SID at the end, to delete by hand.

${USAGE}`;

export interface ProbeArgs {
  help: boolean;
  /** --yes-create-resources */
  consent: boolean;
  json: boolean;
  verbose: boolean;
  credentials: TwilioCredentials;
  /** E.164 or PN SID. */
  number?: string;
  suspendedSubaccount?: TwilioCredentials;
  /** Unset: a throw-away PostgreSQL. */
  dbUrl?: string;
  apiBaseUrl?: string;
  trunkingBaseUrl?: string;
  /** LIVEKIT_URL, _API_KEY, _API_SECRET (and the dispatch settings); unset: the LiveKit steps are skipped. */
  livekit?: LiveKitConfig;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const NUMBER = /^(\+[1-9]\d{1,14}|PN[0-9a-fA-F]{32})$/;

export function parseProbeArgs(
  argv: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ProbeArgs {
  const values = parseFlags(argv, {
    "yes-create-resources": { type: "boolean" },
    number: { type: "string" },
    "suspended-subaccount": { type: "string" },
    "db-url": { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const help = values.help ?? false;
  const consent = values["yes-create-resources"] ?? false;
  const accountSid = env.TWILIO_ACCOUNT_SID?.trim() ?? "";
  const authToken = env.TWILIO_AUTH_TOKEN?.trim() ?? "";
  // Without consent the probe only explains itself, which needs no credentials.
  const willRun = consent && !help;
  if (willRun) {
    if (!ACCOUNT_SID.test(accountSid)) {
      throw new UsageError("TWILIO_ACCOUNT_SID must be an account SID (AC…)");
    }
    if (!authToken) throw new UsageError("TWILIO_AUTH_TOKEN is not set");
  }
  if (values.number !== undefined && !NUMBER.test(values.number)) {
    throw new UsageError(`--number: expected an E.164 number (+14155550123) or a PN SID`);
  }
  const dbUrl = values["db-url"] || env.SUPABASE_DB_URL || env.DATABASE_URL || undefined;
  // A given database may be a project's own: its rows must be readable with the project's keys.
  if (dbUrl && !env.ENCRYPTION_KEYS && willRun) {
    throw new UsageError("ENCRYPTION_KEYS is not set: with a database given, use the functions' keys");
  }
  return {
    help,
    consent,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    credentials: { accountSid, authToken },
    number: values.number,
    suspendedSubaccount: values["suspended-subaccount"] === undefined
      ? undefined
      : parseCredentialPair(values["suspended-subaccount"]),
    dbUrl,
    apiBaseUrl: env.TWILIO_API_BASE_URL || undefined,
    trunkingBaseUrl: env.TWILIO_TRUNKING_BASE_URL || undefined,
    livekit: liveKitSettings(env),
  };
}

/** The LiveKit project as the functions read it (all three of LIVEKIT_URL, _API_KEY, _API_SECRET, or none). */
function liveKitSettings(env: Record<string, string | undefined>): LiveKitConfig | undefined {
  try {
    return provisioningConfigFromEnv(env).livekit;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseCredentialPair(value: string): TwilioCredentials {
  const separator = value.indexOf(":");
  const accountSid = value.slice(0, separator);
  const authToken = value.slice(separator + 1);
  if (separator < 0 || !ACCOUNT_SID.test(accountSid) || !authToken) {
    throw new UsageError("--suspended-subaccount: expected AC…:auth-token");
  }
  return { accountSid, authToken };
}
