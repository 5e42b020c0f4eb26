/**
 * Twilio behaviours the project could not observe, each recorded as what Twilio actually did (an observation,
 * not a pass or a fail), on scratch resources of its own. Where an emulator switch (scripts/emulator/switches.ts)
 * stands in for the behaviour, the observation names the switch value it corresponds to, so the team can set the
 * emulator's default from it.
 */
import {
  defaultSwitches,
  INACTIVE_ACCOUNT_CODES,
  INACTIVE_ACCOUNT_STATUSES,
  type InactiveAccountAnswer,
  type Switches,
} from "../emulator/switches.ts";
import { TERMINATION_SUFFIX } from "../../supabase/functions/_shared/provisioning/names.ts";
import { putOnTrunk } from "../../supabase/functions/_shared/numbers/attach.ts";
import type { TwilioTrunk } from "../../supabase/functions/_shared/twilio/types.ts";
import { TwilioApiError } from "../../supabase/functions/_shared/twilio/errors.ts";
import type { ProbeContext } from "./context.ts";
import { describe, Skipped, type Step } from "./steps.ts";

export interface Observation {
  detail: string;
  /** The emulator switch this settles: the value Twilio's answer corresponds to (null: none of its values). */
  emulatorSwitch?: { name: keyof Switches; observed: unknown; emulatorDefault: unknown };
  /** What the emulator does today where no switch covers the behaviour. */
  emulatorBehaviour?: string;
}

/** Set on a number that has no voice URL, so that keeping or clearing it can be seen (put back at the end). */
const PROBE_VOICE_URL = "https://example.com/twilio-probe";

export class BehaviourChecks {
  #scratchTrunk?: Promise<TwilioTrunk>;

  constructor(private readonly probe: ProbeContext) {}

  steps(): Step<Observation>[] {
    const check = (name: string, run: () => Promise<Observation>) => ({ name, needs: ["credentials"], run });
    return [
      check("number_keeps_voice_url", () => this.#numberKeepsVoiceUrl()),
      check("number_on_other_trunk", () => this.#numberOnOtherTrunk()),
      check("delete_associated_credential_list", () => this.#deleteAssociatedList()),
      check("duplicate_domain_same_account", () => this.#duplicateDomain()),
      check("suspended_subaccount", () => this.#suspendedSubaccount()),
    ];
  }

  get #twilio() {
    return this.probe.twilio;
  }

  /** One scratch trunk the checks share; created on first use. */
  #trunk(): Promise<TwilioTrunk> {
    return this.#scratchTrunk ??= this.#newTrunk("a");
  }

  #newTrunk(suffix: string, domainName = `${this.probe.scratchName(suffix)}.${TERMINATION_SUFFIX}`) {
    return this.#twilio.createTrunk({ friendlyName: this.probe.scratchName(suffix), domainName });
  }

  #number() {
    if (!this.probe.number) throw new Skipped("no --number given");
    return this.probe.number;
  }

  async #numberKeepsVoiceUrl(): Promise<Observation> {
    const number = this.#number();
    await number.original();
    let before = await number.current();
    const hadUrl = !!before.voiceUrl;
    if (!hadUrl) before = await this.#twilio.updateIncomingNumber(before.sid, { voiceUrl: PROBE_VOICE_URL });
    const trunk = await this.#trunk();
    await putOnTrunk(this.#twilio, trunk.sid, before);
    const after = await number.current();
    const url = after.voiceUrl === before.voiceUrl
      ? "kept its voice_url"
      : after.voiceUrl
      ? "changed its voice_url"
      : "cleared its voice_url";
    const application = !before.voiceApplicationSid
      ? "it had no voice_application_sid to watch"
      : after.voiceApplicationSid
      ? "kept its voice_application_sid"
      : "lost its voice_application_sid";
    return {
      detail: `attached to a trunk, the number ${url}${hadUrl ? "" : " (set for the check)"}; ${application}`,
      emulatorBehaviour: "keeps voice_url (ignored while on the trunk), deletes voice_application_sid",
    };
  }

  async #numberOnOtherTrunk(): Promise<Observation> {
    const number = this.#number();
    await number.original();
    const first = await this.#trunk();
    const current = await number.current();
    if (current.trunkSid !== first.sid) await putOnTrunk(this.#twilio, first.sid, current);
    const second = await this.#newTrunk("b");
    const observed = (detail: string, value: Switches["numberOnOtherTrunk"] | null) => ({
      detail,
      emulatorSwitch: switchFinding("numberOnOtherTrunk", value),
    });
    try {
      await this.#twilio.attachNumberToTrunk(second.sid, current.sid);
    } catch (error) {
      if (!(error instanceof TwilioApiError)) throw error;
      return observed(`rejected: ${describe(error)}`, "reject");
    }
    const after = await number.current();
    const stillOnFirst = (await this.#twilio.listTrunkNumbers(first.sid)).some((n) => n.sid === current.sid);
    if (after.trunkSid === second.sid && !stillOnFirst) {
      return observed("moved: accepted, and the number left the first trunk for the second", "move");
    }
    return observed(
      `accepted, yet trunk_sid is ${after.trunkSid} and the first trunk ${
        stillOnFirst ? "still" : "no longer"
      } ` +
        "lists it",
      null,
    );
  }

  async #deleteAssociatedList(): Promise<Observation> {
    const trunk = await this.#trunk();
    const list = await this.#twilio.createCredentialList(this.probe.scratchName("list"));
    await this.#twilio.associateCredentialList(trunk.sid, list.sid);
    const emulatorBehaviour = "refuses: 400 21241 (list still mapped)";
    try {
      await this.#twilio.deleteCredentialList(list.sid);
    } catch (error) {
      if (!(error instanceof TwilioApiError)) throw error;
      return { detail: `refused: ${describe(error)}`, emulatorBehaviour };
    }
    const stillListed = (await this.#twilio.listTrunkCredentialLists(trunk.sid)).some((l) =>
      l.sid === list.sid
    );
    return {
      detail: `allowed: the list was deleted, and the trunk ${
        stillListed ? "still lists it" : "no longer lists it"
      }`,
      emulatorBehaviour,
    };
  }

  async #duplicateDomain(): Promise<Observation> {
    const trunk = await this.#trunk();
    const observed = (detail: string, value: Switches["sameAccountDuplicateDomain"] | null) => ({
      detail,
      emulatorSwitch: switchFinding("sameAccountDuplicateDomain", value),
    });
    try {
      const duplicate = await this.#newTrunk("dup", trunk.domainName!);
      return observed(`allowed: a second trunk ${duplicate.sid} got ${trunk.domainName}`, null);
    } catch (error) {
      if (!(error instanceof TwilioApiError)) throw error;
      const code = String(error.code);
      return observed(`refused: ${describe(error)}`, code === "21245" || code === "21248" ? code : null);
    }
  }

  async #suspendedSubaccount(): Promise<Observation> {
    const credentials = this.probe.args.suspendedSubaccount;
    if (!credentials) throw new Skipped("no --suspended-subaccount given");
    try {
      const account = await this.probe.twilioFor(credentials).fetchAccount();
      return {
        detail: `answered: account ${account.sid} is ${account.status}`,
        emulatorSwitch: switchFinding("inactiveAccountAnswer", null),
      };
    } catch (error) {
      if (!(error instanceof TwilioApiError)) throw error;
      return {
        detail: `refused: ${describe(error)}`,
        emulatorSwitch: switchFinding("inactiveAccountAnswer", inactiveAccountAnswer(error)),
      };
    }
  }
}

/** Twilio's answer as the switch's value, when it is one the switch offers. */
function inactiveAccountAnswer({ status, code }: TwilioApiError): InactiveAccountAnswer | null {
  const statusKnown = (INACTIVE_ACCOUNT_STATUSES as readonly number[]).includes(status);
  const codeKnown = (INACTIVE_ACCOUNT_CODES as readonly (number | null)[]).includes(code);
  return statusKnown && codeKnown ? { status, code } as InactiveAccountAnswer : null;
}

function switchFinding<Name extends keyof Switches>(name: Name, observed: Switches[Name] | null) {
  return { name, observed, emulatorDefault: defaultSwitches()[name] };
}
