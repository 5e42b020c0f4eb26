/**
 * The example page in a real browser (Debian's Chromium driven by playwright-core) against the test stack, as a
 * customer uses it: sign up, a wrong token and a malformed SID shown where they belong, connect, numbers,
 * recordings played from blob: URLs, recording settings, health and repair, sign out and in, accessibility
 * (axe) and screenshots at desktop and phone widths, and disconnect.
 *
 * Without Chromium (not root, so it cannot be installed) the test is skipped, and the runner counts it so.
 * Screenshots go to WEB_TEST_ARTIFACTS, or web/test-artifacts/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { ensureChromium } from "../../scripts/local/chromium.ts";
import { buildWebPage, webDir } from "../../scripts/local/web-build.ts";
import { serveWebPage } from "../../scripts/local/web-server.ts";
import { emulator, type EmulatorAccount, stackInfo } from "../../scripts/testing/stack.ts";

const chromiumLookup = await ensureChromium();
const skipReason = "missing" in chromiumLookup ? chromiumLookup.missing : undefined;
if (skipReason) {
  console.error(`SKIPPED: the example page's browser test: ${skipReason}`);
}

const ARTIFACTS = Deno.env.get("WEB_TEST_ARTIFACTS") ?? join(webDir, "test-artifacts");
const AXE_SCRIPT = join(webDir, "node_modules", "axe-core", "axe.min.js");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DESKTOP = { width: 1280, height: 800 };
const VIEWPORTS = { desktop: DESKTOP, phone: { width: 390, height: 844 } };

// What page.evaluate runs executes in the page, where these are globals; Deno's types have no DOM.
// deno-lint-ignore no-explicit-any
declare const document: any, window: any;

Deno.test({
  name: "example page: a customer's whole journey in Chromium, accessible at desktop and phone widths",
  ignore: skipReason !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const info = stackInfo();
    const site = serveWebPage({
      port: 0,
      distDir: await buildWebPage(),
      supabaseUrl: info.api_url,
      publishableKey: info.publishable_key,
    });
    const profile = await Deno.makeTempDir({ prefix: "page-browser-test-profile-" });
    // A persistent context is how Playwright takes a user data dir of ours: a fresh, empty one per run.
    const context: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: "path" in chromiumLookup ? chromiumLookup.path : undefined,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: DESKTOP,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    // Each step needs the ones before it: after a failure the rest are reported as ignored, not as timeouts.
    let healthy = true;
    const step = async (name: string, fn: () => Promise<void>) => {
      healthy = healthy ? await t.step(name, fn) : (await t.step({ name, ignore: true, fn }), false);
    };

    const email = `page-${crypto.randomUUID()}@example.test`;
    const password = "correct horse battery staple";
    let account: EmulatorAccount;
    let numbers: { sid: string; phone_number: string }[];
    let trunkSid: string;

    try {
      await step("sign up with email and password", async () => {
        await page.goto(site.url);
        await page.getByLabel("Email", { exact: true }).fill(email);
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.getByRole("button", { name: "Sign up", exact: true }).click();
        await page.getByRole("heading", { name: "Connect Twilio" }).waitFor();
        assert.equal(await focusedText(page), "Connect Twilio", "focus moves to the new view's heading");
      });

      await step("a malformed SID is shown at its field; a wrong token above the form", async () => {
        account = await emulator.createAccount();
        await connectWith(page, { accountSid: "AC123", authToken: account.authToken });
        const sid = page.getByLabel("Account SID", { exact: true });
        await sid.and(page.locator("[aria-invalid=true]")).waitFor();
        assert.match(await accessibleDescription(page, sid), /Must be AC followed by 32/);
        assert.equal(await page.getByRole("alert").count(), 0, "a field error is not a form error");
        assert.equal(await focusedLabel(page), "Account SID", "focus goes to the field at fault");

        await connectWith(page, { accountSid: account.sid, authToken: "0".repeat(32) });
        const alert = page.getByRole("alert");
        await alert.filter({ hasText: "Twilio rejected the Account SID or auth token" }).waitFor();
        assert.ok((await box(alert)).y < (await box(sid)).y, "the message is above the form");
        assert.equal(await sid.getAttribute("aria-invalid"), null, "no single field is blamed");
      });

      await step("connect: progress while provisioning, then the domain and SIP username", async () => {
        numbers = [
          await emulator.addNumber(account.sid, "+15550170001", { voiceUrl: "https://example.test/voice/1" }),
          await emulator.addNumber(account.sid, "+15550170002", { voiceUrl: "https://example.test/voice/2" }),
        ];
        await emulator.config({ latencyMs: 150 }); // slow enough to see the progress indicator
        try {
          await connectWith(page, {
            accountSid: account.sid,
            authToken: account.authToken,
            label: "Main office",
          });
          await page.getByRole("status").filter({ hasText: "Creating your SIP trunk" }).waitFor();
          await page.getByRole("progressbar", { name: "Provisioning" }).waitFor();
          await page.getByRole("heading", { name: "SIP configuration" }).waitFor();
        } finally {
          await emulator.config({ latencyMs: null });
        }
        const { trunks: [trunk], credential_lists: [list] } = await emulator.state(account.sid);
        trunkSid = trunk.sid;
        assert.equal(await detail(page, "Domain"), trunk.domain_name);
        assert.equal(await detail(page, "SIP username"), list.credentials[0].username);
        assert.equal(await detail(page, "Trunk SID"), trunk.sid);
        assert.equal(await detail(page, "Status"), "active");
        assert.doesNotMatch(
          await page.content(),
          new RegExp(account.authToken),
          "the auth token never comes back",
        );
      });

      await step("sign out, then sign in with the keyboard: the configuration is back", async () => {
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        await page.getByLabel("Email", { exact: true }).fill(email);
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.keyboard.press("Enter");
        await page.getByRole("heading", { name: "SIP configuration" }).waitFor();
        assert.equal(await detail(page, "Trunk SID"), trunkSid);
      });

      await step("numbers: attach two as a selection, detach one, each row shows its result", async () => {
        for (const number of numbers) {
          assert.equal(await numberRow(page, number.phone_number, "Calls go to"), "A voice URL (webhook)");
          await page.getByRole("checkbox", { name: `Select ${number.phone_number}` }).check();
        }
        await page.getByRole("button", { name: "Attach selected" }).click();
        await page.getByRole("status").filter({ hasText: "Attach: 2 attached" }).waitFor();
        for (const number of numbers) {
          await waitForNumberRow(page, number.phone_number, "Last result", "Attached");
          await waitForNumberRow(page, number.phone_number, "Calls go to", "This SIP trunk (LiveKit)");
        }
        assert.deepEqual(
          (await emulator.state(account.sid)).trunks[0].phone_numbers.toSorted(),
          numbers.map((number) => number.sid).toSorted(),
        );

        await page.getByRole("button", { name: `Detach ${numbers[1].phone_number}`, exact: true }).click();
        await waitForNumberRow(
          page,
          numbers[1].phone_number,
          "Last result",
          "Detached, earlier voice settings restored",
        );
        await waitForNumberRow(page, numbers[1].phone_number, "Calls go to", "A voice URL (webhook)");
        const detached = (await emulator.state(account.sid)).incoming_phone_numbers.find(
          (number) => number.sid === numbers[1].sid,
        )!;
        assert.deepEqual([detached.trunk_sid, detached.voice_url], [null, "https://example.test/voice/2"]);
        await page.locator(".details-row").filter({ hasText: numbers[0].phone_number }).waitFor();
        assert.equal(await detail(page, "Numbers on the trunk"), numbers[0].phone_number);
      });

      await step(
        "recordings: a call's recording plays from a blob: URL with the emulator's bytes",
        async () => {
          const call = await emulator.addCall(account.sid, {
            trunkSid,
            to: numbers[0].phone_number,
            from: "+15550170999",
            durationSeconds: 42,
            recordings: 1,
          });
          const recordingSid = call.recordings[0].sid;
          await page.getByRole("button", { name: "Refresh recordings" }).click();
          await page.getByRole("button", { name: `Play recording ${recordingSid}` }).click();
          const audio = page.locator(`audio[data-recording-sid="${recordingSid}"]`);
          await audio.waitFor();
          const src = (await audio.getAttribute("src"))!;
          assert.match(src, /^blob:/);
          const played = await page.evaluate(async (url) => {
            const bytes = await (await fetch(url)).arrayBuffer();
            const digest = await crypto.subtle.digest("SHA-256", bytes);
            return { size: bytes.byteLength, sha256: [...new Uint8Array(digest)].join(",") };
          }, src);
          const original = await emulatorMedia(account, recordingSid);
          const digest = await crypto.subtle.digest("SHA-256", original);
          assert.ok(played.size > 0);
          assert.deepEqual(played, {
            size: original.byteLength,
            sha256: [...new Uint8Array(digest)].join(","),
          });
          assert.equal(
            await page.getByRole("button", { name: "Next page" }).isDisabled(),
            true,
            "one page only",
          );
        },
      );

      await step("recording settings: mode and trim are set on the trunk", async () => {
        await page.getByLabel("Recording mode").selectOption("record-from-answer");
        await page.getByLabel("Silence").selectOption("trim-silence");
        await page.getByRole("button", { name: "Save recording settings" }).click();
        await page
          .getByRole("status")
          .filter({ hasText: "Saved: Record from answer, trim silence." })
          .waitFor();
        assert.deepEqual((await emulator.state(account.sid)).trunks[0].recording, {
          mode: "record-from-answer",
          trim: "trim-silence",
        });
      });

      await step(
        "health: checks pass; an origination URL deleted in Twilio is found and repaired",
        async () => {
          await page.getByRole("button", { name: "Check health" }).click();
          await page.locator(".report h3").filter({ hasText: "Status: verified" }).waitFor();
          assert.equal(await checkResult(page, "Status", "origination_url"), "✓ OK");

          const originationUrl = (await emulator.state(account.sid)).trunks[0].origination_urls.find(
            (url) => url.sip_url === info.function_secrets.LIVEKIT_SIP_URI,
          )!;
          await emulator.twilio(
            account,
            "DELETE",
            `/v1/Trunks/${trunkSid}/OriginationUrls/${originationUrl.sid}`,
          );
          await page.getByRole("button", { name: "Check health" }).click();
          await page.locator(".report h3").filter({ hasText: "Status: degraded" }).waitFor();
          assert.equal(await checkResult(page, "Status", "origination_url"), "✗ Failing");

          await page.getByRole("button", { name: "Repair" }).click();
          await page
            .getByRole("status")
            .filter({ hasText: "Repair finished: repaired origination_url" })
            .waitFor();
          assert.equal(await checkResult(page, "Before", "origination_url"), "✗ Failing");
          assert.equal(await checkResult(page, "After", "origination_url"), "✓ OK");
          await page.locator(".report h3").filter({ hasText: "After: verified" }).waitFor();
          const urls = (await emulator.state(account.sid)).trunks[0].origination_urls;
          assert.ok(
            urls.some((url) => url.sip_url === info.function_secrets.LIVEKIT_SIP_URI),
            "re-created in Twilio",
          );
        },
      );

      await step(
        "axe finds no serious or critical violations; screenshots at desktop and phone width",
        async () => {
          await page.getByRole("button", { name: "Check health" }).click();
          await page.locator(".report h3").filter({ hasText: "Status: verified" }).waitFor();
          await page.mouse.move(0, 0); // no hover highlight in the pictures
          await Deno.mkdir(ARTIFACTS, { recursive: true });
          await page.addScriptTag({ path: AXE_SCRIPT });
          for (const [name, viewport] of Object.entries(VIEWPORTS)) {
            await page.setViewportSize(viewport);
            assert.deepEqual(await seriousViolations(page), [], `axe at ${name} width`);
            const overflow = await page.evaluate(
              () => document.documentElement.scrollWidth - window.innerWidth,
            );
            assert.ok(overflow <= 0, `nothing wider than the ${name} viewport (${overflow}px too wide)`);
            await page.screenshot({ path: join(ARTIFACTS, `page-${name}.png`), fullPage: true });
          }
          await page.setViewportSize(DESKTOP);
        },
      );

      await step("disconnect after confirming: nothing is left in the Twilio account", async () => {
        const open = page.getByRole("button", { name: "Disconnect", exact: true });
        await open.focus();
        await page.keyboard.press("Enter");
        const dialog = page.getByRole("dialog", { name: "Disconnect this Twilio account?" });
        await dialog.waitFor();
        assert.equal(await focusedText(page), "Cancel", "the dialog takes focus on its safe choice");
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "hidden" });
        assert.equal(await focusedText(page), "Disconnect", "focus returns to the button that opened it");

        await open.click();
        await dialog.getByRole("button", { name: "Disconnect", exact: true }).click();
        const outcome = await Promise.race([
          page
            .getByRole("heading", { name: "Connect Twilio" })
            .waitFor()
            .then(() => "disconnected"),
          dialog
            .getByRole("alert")
            .waitFor()
            .then(async () => await dialog.getByRole("alert").innerText()),
        ]);
        assert.equal(
          outcome,
          "disconnected",
          `Disconnect failed in the page with "${outcome}": it needs GET and DELETE on create-main-trunk ` +
            "(client.listCredentials / client.disconnect)",
        );
        const state = await emulator.state(account.sid);
        assert.deepEqual(
          [state.trunks.length, state.credential_lists.length],
          [0, 0],
          "trunk and list deleted",
        );
        assert.ok(
          state.incoming_phone_numbers.every((number) => number.trunk_sid === null),
          "numbers released",
        );
      });

      assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
    } finally {
      await context.close();
      await site.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});

async function connectWith(page: Page, input: { accountSid: string; authToken: string; label?: string }) {
  await page.getByLabel("Account SID", { exact: true }).fill(input.accountSid);
  await page.getByLabel("Auth token", { exact: true }).fill(input.authToken);
  await page.getByLabel("Label", { exact: true }).fill(input.label ?? "");
  await page.getByRole("button", { name: "Connect Twilio" }).click();
}

/** The value shown for a term of the SIP configuration. */
async function detail(page: Page, term: string): Promise<string> {
  const row = page.locator(".details-row").filter({ has: page.getByText(term, { exact: true }) });
  return (await row.locator("dd").innerText()).trim();
}

/** A cell of a number's row, by column header. */
async function numberRow(page: Page, phoneNumber: string, column: string): Promise<string> {
  const table = page.getByRole("table", { name: "Phone numbers" });
  const row = table.locator("tbody tr").filter({ hasText: phoneNumber });
  await row.waitFor();
  const headers = await table.locator("thead th").allInnerTexts();
  return (await row.locator("xpath=./*").nth(headers.indexOf(column)).innerText()).trim();
}

async function waitForNumberRow(page: Page, phoneNumber: string, column: string, expected: string) {
  const deadline = Date.now() + 10_000;
  let seen = "";
  while ((seen = await numberRow(page, phoneNumber, column)) !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(seen, expected, `${phoneNumber}: ${column}`);
}

/** "✓ OK" or "✗ Failing" for a check in the report titled `title`. */
async function checkResult(page: Page, title: string, check: string): Promise<string> {
  const report = page.getByRole("table", { name: `${title}: health checks` });
  return (await report.locator(`tr[data-check="${check}"] td`).first().innerText()).trim();
}

async function box(locator: ReturnType<Page["locator"]>) {
  const found = await locator.boundingBox();
  assert.ok(found, "element is visible");
  return found;
}

async function focusedText(page: Page): Promise<string> {
  return await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
}

async function focusedLabel(page: Page): Promise<string> {
  return await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent ?? "");
}

async function accessibleDescription(page: Page, locator: ReturnType<Page["locator"]>): Promise<string> {
  const ids = (await locator.getAttribute("aria-describedby")) ?? "";
  return await page.evaluate(
    (ids) =>
      ids
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent ?? "")
        .join(" "),
    ids,
  );
}

/** axe-core's serious and critical violations on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    // deno-lint-ignore no-explicit-any
    return results.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // deno-lint-ignore no-explicit-any
      targets: v.nodes.map((node: any) => String(node.target)),
    }));
  });
  return violations
    .filter(
      (violation: { impact: string }) => violation.impact === "serious" || violation.impact === "critical",
    )
    .map(
      (v: { id: string; impact: string; help: string; targets: string[] }) =>
        `${v.impact} ${v.id}: ${v.help} (${v.targets.join(", ")})`,
    );
}

/** The recording's audio exactly as Twilio (the emulator) serves it to the account. */
async function emulatorMedia(account: EmulatorAccount, recordingSid: string): Promise<ArrayBuffer> {
  const response = await fetch(
    `${emulator.url()}/2010-04-01/Accounts/${account.sid}/Recordings/${recordingSid}.mp3`,
    { headers: { Authorization: `Basic ${btoa(`${account.sid}:${account.authToken}`)}` } },
  );
  assert.equal(response.status, 200);
  return await response.arrayBuffer();
}
