/** What the voice backend will use: the termination domain, SIP username, trunk, and LiveKit's ids once they exist. */
import type { SipConfig } from "@twilio-sip/client";
import { Section } from "../ui/Section.tsx";

export function SipConfigPanel({ config }: { config: SipConfig }) {
  const { livekit } = config;
  const rows: [string, string | null | undefined][] = [
    ["Domain", config.domainName],
    ["SIP username", config.sipUsername],
    ["Trunk SID", config.trunkSid],
    ["Credential list SID", config.credentialListSid],
    ["Status", config.status],
    ["Transport", livekit.transport.toUpperCase()],
    ["Numbers on the trunk", livekit.numbers.length ? livekit.numbers.join(", ") : "none yet"],
    ["LiveKit outbound trunk", livekit.outboundTrunkId],
    ["LiveKit inbound trunk", livekit.inboundTrunkId],
    ["LiveKit dispatch rules", livekit.dispatchRuleIds?.join(", ")],
  ];
  return (
    <Section title="SIP configuration" focusOnMount>
      <dl className="details">
        {rows
          .filter(([, value]) => value)
          .map(([term, value]) => (
            <div key={term} className="details-row">
              <dt>{term}</dt>
              <dd className={term === "Status" ? `badge badge-${value}` : "mono"}>{value}</dd>
            </div>
          ))}
      </dl>
      <p className="muted small">
        The SIP password is never shown here; your voice backend reads it with the secret key.
      </p>
    </Section>
  );
}
