/** `--help` of the policy commands (explain, test, surface, replay), kept apart from main.ts's table. */
export const POLICY_HELP: Record<string, string> = {
  explain: `Usage: mcp-proxy explain --as IDENTITY --request REQUEST [--config PATH] [--format text|json]

Decides one request the way the gateway would, without starting any backend, and shows every
call rule in config order: whether its match held, what its condition (when) returned, and
which rule decided. A request for an item the caller's list decision hides is "hidden".
  --as IDENTITY       { "sub", "roles"?, "claims"?, "iss"? }: a JSON file, inline JSON, or the
                      name of an identity in the config's test cases
  --request REQUEST   { "method", "name"?, "uri"?, "arguments"? }: a JSON file or inline JSON;
                      "time" (ISO 8601) and "labelsSeen" may be given too
  -c, --config PATH   config file (default: search the working directory)
  -f, --format FMT    text (default) or json
The item's backend and original name come from the test cases' surface snapshot when there is
one, else from the config's routes and namespace prefixes.
Exit: 0 a decision was printed, 1 invalid config, 2 usage error.
`,
  test: `Usage: mcp-proxy test [--config PATH] [--format text|json] [--snapshot FILE | --live]

Runs the policy test cases kept beside the config: mcp-proxy.test.yaml in its folder, or the
"tests" export of a .ts/.js config (format: docs/policies.md, "Policy test cases").
A request case decides identity + request offline and compares the decision (allow, deny,
hidden) and the deciding rule; a visible case compares the exact set of names a caller is
listed (globs allowed) against a surface: --snapshot FILE, --live (start the backends), else
the snapshot the cases name, else live.
  -c, --config PATH   config file (default: search the working directory)
  -f, --format FMT    text (default; one line per case, failures with expected and got) or
                      json: { "file", "cases", "passed", "failed", "results" }
Exit: 0 every case passed, 1 a case failed (or the config is invalid), 2 usage error (no test
cases, a malformed cases file).
`,
  surface: `Usage: mcp-proxy surface [--as IDENTITY] [--config PATH] [--snapshot FILE | --live]
                       [--write-snapshot FILE | --diff OTHER_CONFIG] [--format text|json]

Prints what a caller sees through the gateway: tools, prompts, resources and resource templates,
each with its backend and original name. Without --as, the unfiltered surface.
  --as IDENTITY          a name from the test cases' identities, or { "sub", "roles"?, ... } as
                         a JSON file or inline JSON
  --snapshot FILE        judge recorded listings (default: the test cases' snapshot, else live)
  --live                 start every backend once, list it, close it
  --write-snapshot FILE  record the backends' listings: { "version": 1, "backends": [...] }
  --diff OTHER_CONFIG    for each identity of the test cases (or --as), what OTHER_CONFIG adds
                         (+), removes (-) and changes (~: description, schema, backend, original)
                         compared with --config, both judged over the same listings
  -c, --config PATH      config file (default: search the working directory)
  -f, --format FMT       text (default) or json
Exit: 0 printed, 1 invalid config, 2 usage error.
`,
  replay: `Usage: mcp-proxy replay AUDIT_FILE --config NEXT [--format text|json]

Re-decides every request an audit file recorded (event "request" with a decision) under the
config NEXT and reports each decision that would flip (allow → deny, deny → allow), grouped by
the rule that decides under NEXT and by identity. The identity, arguments (when the line has
them: audit.includeArguments), session labels and time come from the line; the item's backend,
original name and labels from NEXT. A decision that depends on what the line did not record
(argument values, a claim no policy read when it was written) is reported as undecidable,
never guessed.
  -c, --config NEXT   the config to re-decide under (required)
  -f, --format FMT    text (default) or json: { "requests", "flipped", "flips", "undecidable", ... }
Exit: 0 nothing flips, 1 some decision flips (or NEXT is invalid), 2 usage error.
`,
};
