// The LiveKit client on a LiveKit Cloud host, where the SDK's region failover engages (livekit-server-sdk 2.19,
// src/failover.ts: hosts ending in `.livekit.cloud`; after no answer or a 5xx it asks `GET /settings/regions` for
// the project's other regions, `{ "regions": [{ "url" }] }`, and sends the request again to the next one).
import assert from "node:assert/strict";
import {
  type EmulatorSnapshot,
  fault,
  requests,
  state,
  type TestEmulator,
  withLiveKitEmulator,
} from "../../../../scripts/livekit-emulator/testing.ts";
import { createLiveKitClient, LiveKitError, type LiveKitSip } from "./client.ts";

const PRIMARY = "tenant.livekit.cloud";
const OTHER_REGION = "tenant-b.livekit.cloud";

/**
 * LiveKit Cloud's front for the test: both regions' hosts lead to the emulator, and region discovery names the
 * second. Global fetch is what the SDK calls; the hosts each request went to are recorded.
 */
async function onLiveKitCloud(
  fn: (livekit: LiveKitSip, emulator: TestEmulator, hosts: string[]) => Promise<void>,
) {
  await withLiveKitEmulator(async (emulator) => {
    const realFetch = globalThis.fetch;
    const hosts: string[] = [];
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (![PRIMARY, OTHER_REGION].includes(url.host)) return realFetch(input, init);
      hosts.push(`${url.host}${url.pathname}`);
      if (url.pathname === "/settings/regions") {
        return Promise.resolve(Response.json({ regions: [{ region: "b", url: `wss://${OTHER_REGION}` }] }));
      }
      return realFetch(`${emulator.url}${url.pathname}`, init);
    };
    try {
      const livekit = createLiveKitClient({
        url: `wss://${PRIMARY}`,
        apiKey: emulator.apiKey,
        apiSecret: emulator.apiSecret,
        roomPrefix: "call-",
        krispEnabled: false,
        allowedAddresses: [],
      });
      await fn(livekit, emulator, hosts);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
}

const CREATES: [
  method: string,
  create: (livekit: LiveKitSip) => Promise<unknown>,
  stored: keyof EmulatorSnapshot,
][] = [
  [
    "CreateSIPOutboundTrunk",
    (livekit) =>
      livekit.createOutboundTrunk({
        name: "out",
        metadata: "{}",
        address: "example.pstn.twilio.com",
        numbers: ["+15550000001"],
        transport: "tcp",
        authUsername: "user",
        authPassword: "password",
        encryptMedia: false,
      }),
    "outboundTrunks",
  ],
  [
    "CreateSIPInboundTrunk",
    (livekit) =>
      livekit.createInboundTrunk({
        name: "in",
        metadata: "{}",
        numbers: ["+15550000001"],
        allowedAddresses: [],
        krispEnabled: false,
        encryptMedia: false,
      }),
    "inboundTrunks",
  ],
  [
    "CreateSIPDispatchRule",
    (livekit) =>
      livekit.createDispatchRule({
        name: "rule",
        metadata: "{}",
        trunkId: "ST_abcdefghijkl",
        roomPrefix: "call-",
      }),
    "dispatchRules",
  ],
];

for (const [method, create, stored] of CREATES) {
  const name =
    `LiveKit Cloud: ${method} whose answer is lost (applied, then 503) is sent once, failing as transient`;
  Deno.test(name, async () => {
    await onLiveKitCloud(async (livekit, emulator, hosts) => {
      await fault(emulator.url, { method, mode: "applied-then-fail", status: 503 });
      const error = await create(livekit).then(() => assert.fail("the create succeeded"), (error) => error);
      assert.ok(error instanceof LiveKitError && error.isTransient && error.status === 503, String(error));
      assert.equal((await requests(emulator.url, { method })).length, 1, "sent once");
      assert.equal((await state(emulator.url))[stored].length, 1, "made once");
      assert.deepEqual(
        hosts,
        [`${PRIMARY}/twirp/livekit.SIP/${method}`],
        "no region lookup, no second region",
      );
    });
  });
}

Deno.test("LiveKit Cloud: a read that gets a 503 is answered by the project's next region", async () => {
  await onLiveKitCloud(async (livekit, emulator, hosts) => {
    await fault(emulator.url, { method: "ListSIPOutboundTrunk", mode: "fail", status: 503 });
    assert.deepEqual(await livekit.listOutboundTrunks({}), []);
    assert.deepEqual(hosts, [
      `${PRIMARY}/twirp/livekit.SIP/ListSIPOutboundTrunk`,
      `${PRIMARY}/settings/regions`,
      `${OTHER_REGION}/twirp/livekit.SIP/ListSIPOutboundTrunk`,
    ]);
  });
});
