/**
 * `deno task openapi`: writes docs/openapi.json from the contract (supabase/functions/_shared/contract). Commit
 * the result; scripts/openapi_test.ts fails while the committed file differs from what this would write.
 */
import { renderOpenApi } from "./openapi/document.ts";

export const OPENAPI_FILE = new URL("../docs/openapi.json", import.meta.url);

if (import.meta.main) {
  await Deno.writeTextFile(OPENAPI_FILE, renderOpenApi());
  console.log(`wrote ${OPENAPI_FILE.pathname}`);
}
