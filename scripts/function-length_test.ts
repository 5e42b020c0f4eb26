/**
 * No function in supabase/functions, product code and tests alike, is longer than MAX_LINES, counted from its first
 * line to its last (a test's callback included): a longer one is split into named steps that read, and are tested,
 * on their own.
 */
import assert from "node:assert/strict";
import ts from "typescript";
import { repoRoot } from "./local/process.ts";

const MAX_LINES = 60;
const ROOT = "supabase/functions";

interface LongFunction {
  /** `path:line` of the function's first line. */
  at: string;
  name: string;
  lines: number;
}

/** Every function in `text` (nested ones too) longer than `maxLines`. */
function longFunctions(path: string, text: string, maxLines: number): LongFunction[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = lineOf(node.getStart(source));
      const lines = lineOf(node.getEnd()) - first + 1;
      if (lines > maxLines) found.push({ at: `${path}:${first}`, name: nameOf(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The function's own name, the name it is assigned to, or for a callback the call and its first argument. */
function nameOf(node: ts.SignatureDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (ts.isCallExpression(parent)) {
    const [first] = parent.arguments;
    const label = first && ts.isStringLiteralLike(first) ? `"${first.text}"` : "…";
    return `${parent.expression.getText()}(${label}) callback`;
  }
  return "(anonymous)";
}

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(`${repoRoot}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "node_modules") yield* sourceFiles(path);
    else if (entry.isFile && /\.tsx?$/.test(entry.name)) yield path;
  }
}

Deno.test(`no function in ${ROOT} is longer than ${MAX_LINES} lines`, async () => {
  const long: LongFunction[] = [];
  for await (const path of sourceFiles(ROOT)) {
    long.push(...longFunctions(path, await Deno.readTextFile(`${repoRoot}/${path}`), MAX_LINES));
  }
  const report = long.sort((a, b) => b.lines - a.lines).map((f) => `${f.lines} lines: ${f.name} (${f.at})`);
  assert.equal(report.length, 0, `split these into named steps:\n${report.join("\n")}`);
});

Deno.test("function length: first to last line, nested functions and test callbacks each on their own", () => {
  const body = (lines: number) =>
    Array.from({ length: lines - 2 }, (_, i) => `  const x${i} = ${i};`).join("\n");
  const text = [
    `function short() {\n${body(3)}\n}`,
    `export function atLimit() {\n${body(4)}\n}`,
    `const outer = () => {\n  function inner() {\n${body(5)}\n  }\n};`,
    `Deno.test("a test", async () => {\n${body(5)}\n});`,
    `class C {\n  method() {\n${body(5)}\n  }\n}`,
  ].join("\n");
  assert.deepEqual(longFunctions("x.ts", text, 4), [
    { at: "x.ts:8", name: "outer", lines: 7 },
    { at: "x.ts:9", name: "inner", lines: 5 },
    { at: "x.ts:15", name: 'Deno.test("a test") callback', lines: 5 },
    { at: "x.ts:21", name: "method", lines: 5 },
  ]);
});
