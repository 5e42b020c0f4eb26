// Store cascades whose effects the HTTP API cannot observe once the parent trunk is gone.
import assert from "node:assert/strict";
import { newSid } from "./ids.ts";
import { associationKey, type OriginationUrl, Store, type Trunk } from "./store.ts";

Deno.test("store: deleting a trunk leaves no orphaned origination URLs or associations behind", () => {
  const store = new Store();
  // deleteTrunk only looks at SIDs, so partial records are enough here.
  const [doomed, kept] = [newSid("TK"), newSid("TK")];
  for (const trunkSid of [doomed, kept]) {
    store.trunks.set(trunkSid, { sid: trunkSid } as Trunk);
    const urlSid = newSid("OU");
    store.originationUrls.set(urlSid, { sid: urlSid, trunkSid } as OriginationUrl);
    const listSid = newSid("CL");
    store.trunkCredentialLists.set(associationKey(trunkSid, listSid), {
      trunkSid,
      credentialListSid: listSid,
      ...store.stamp(),
    });
  }
  store.deleteTrunk(store.trunks.get(doomed)!);
  assert.deepEqual([...store.trunks.keys()], [kept]);
  assert.deepEqual([...store.originationUrls.values()].map((u) => u.trunkSid), [kept]);
  assert.deepEqual([...store.trunkCredentialLists.values()].map((a) => a.trunkSid), [kept]);
});
