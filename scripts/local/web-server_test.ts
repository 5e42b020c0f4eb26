/** The example page's static server: files, the single-page fallback, config.json, and nothing outside dist. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveWebPage } from "./web-server.ts";

Deno.test(
  "web server: files with their types, index.html for app paths, config.json, no way out of dist",
  async () => {
    const root = await Deno.makeTempDir({ prefix: "web-server-test-" });
    const distDir = join(root, "dist");
    await Deno.mkdir(join(distDir, "assets"), { recursive: true });
    await Deno.writeTextFile(join(distDir, "index.html"), "<!doctype html><title>page</title>");
    await Deno.writeTextFile(join(distDir, "assets", "index-abc.js"), "console.log(1)");
    await Deno.writeTextFile(join(root, "secret.txt"), "outside");
    const server = serveWebPage({
      port: 0,
      distDir,
      supabaseUrl: "http://127.0.0.1:1",
      publishableKey: "sb_publishable_x",
    });
    const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);
    try {
      const index = await get("/");
      assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(index.headers.get("cache-control"), "no-cache");
      assert.match(await index.text(), /<title>page<\/title>/);

      const asset = await get("/assets/index-abc.js");
      assert.equal(asset.headers.get("content-type"), "text/javascript; charset=utf-8");
      assert.match(asset.headers.get("cache-control")!, /immutable/);
      assert.equal(await asset.text(), "console.log(1)");

      assert.match(
        await (await get("/settings/numbers")).text(),
        /<title>page<\/title>/,
        "an app path gets index.html",
      );

      const config = await get("/config.json");
      assert.equal(config.headers.get("cache-control"), "no-store");
      assert.deepEqual(await config.json(), {
        supabaseUrl: "http://127.0.0.1:1",
        publishableKey: "sb_publishable_x",
      });

      for (const path of ["/missing.js", "/assets"]) {
        const missing = await get(path);
        await missing.body?.cancel();
        assert.equal(missing.status, path === "/assets" ? 200 : 404, path); // "/assets" has no extension: a page
      }
      for (const path of ["/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/%E0%A4%A"]) {
        const refused = await get(path);
        assert.ok([400, 404].includes(refused.status), `${path}: ${refused.status}`);
        assert.doesNotMatch(await refused.text(), /outside/);
      }

      const head = await get("/", { method: "HEAD" });
      assert.deepEqual([head.status, await head.text()], [200, ""]);
      const post = await get("/", { method: "POST" });
      await post.body?.cancel();
      assert.equal(post.status, 405);
    } finally {
      await server.close();
      await Deno.remove(root, { recursive: true });
    }
  },
);
