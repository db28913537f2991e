import { relative } from "node:path";
import { count } from "../format-issues.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";
import { obtainListings } from "../policy/listings.js";
import { runCases } from "../policy/run-cases.js";
import { surfaceOf } from "../policy/surface-of.js";
import { openWorkspace } from "../policy/workspace.js";

export interface TestOptions {
  readonly configPath: string | undefined;
  readonly format: "text" | "json";
  readonly snapshot: string | undefined;
  readonly live: boolean;
}

/**
 * Runs the policy test cases kept beside a config. Request cases need no backend; `visible`
 * cases judge a surface: the cases' snapshot, `--snapshot`, or the live backends.
 */
export async function testCommand(options: TestOptions, io: CommandIo): Promise<ExitCode> {
  const ws = await openWorkspace(options.configPath, io);
  const cases = ws.cases;
  if (cases === undefined) throw new UsageError(`no test cases for ${ws.file}: put mcp-proxy.test.yaml beside it (or export "tests" from a .ts/.js config)`);
  // A file that tests nothing must not pass a CI gate as if it did.
  if (cases.cases.length === 0) throw new UsageError(`${cases.source} has no cases: a test run must test something`);
  const needsListing = cases.cases.some((c) => c.visible !== undefined) || cases.snapshot !== undefined || options.snapshot !== undefined || options.live;
  const listings = needsListing ? await obtainListings(ws, { snapshot: options.snapshot, live: options.live }, io) : undefined;
  const results = runCases(ws, cases.cases, listings && surfaceOf(ws, listings.listings));
  const failed = results.filter((r) => !r.passed).length;
  const code = failed === 0 ? EXIT.ok : EXIT.invalid;
  // The report goes to stdout; a CI log also gets the failing cases' names where errors go.
  if (failed > 0) io.err(`mcp-proxy test: ${failed} of ${count(results.length, "case")} failed: ${results.filter((r) => !r.passed).map((r) => JSON.stringify(r.name)).join(", ")}\n`);
  if (options.format === "json") {
    const doc = { file: ws.file, cases: cases.source, ...(listings ? { listings: listings.from } : {}), passed: results.length - failed, failed, results };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
    return code;
  }
  const name = (file: string) => relative(io.cwd, file) || file;
  const lines = results.map((r) => (r.passed ? `✓ ${r.name}` : `✗ ${r.name}: ${r.message}`));
  lines.push(`${name(cases.source)}: ${count(results.length, "case")}, ${results.length - failed} passed, ${failed} failed${listings ? ` (listings: ${listings.from === "live" ? "live" : name(listings.from.slice("snapshot ".length))})` : ""}`);
  io.out(`${lines.join("\n")}\n`);
  return code;
}
