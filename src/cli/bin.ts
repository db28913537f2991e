import { runCli } from "./main.js";

/** The process edge: the only place that sets the exit code. */
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  stopSignal: new Promise<string>((resolve) => {
    // The first signal starts a graceful stop; with the listeners gone, a second one ends the
    // process at once (backend children still die with it, see the README's Shutdown).
    const signals = ["SIGINT", "SIGTERM"] as const;
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      resolve(signal);
    };
    for (const signal of signals) process.on(signal, onSignal);
  }),
});
// Everything was closed in order; once output is flushed, exit rather than wait on a handle a
// dependency left open.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(code);
