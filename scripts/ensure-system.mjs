#!/usr/bin/env node
// Installs the Debian packages the heavy suites (test/heavy) start as real servers: redis-server
// (shared rate-limit counters) and chromium (the status page, checked in a real browser). Called
// by `npm run test:soak` and by .ci/run, so a fresh machine runs them without a manual step. A
// suite never skips because its server is missing: when this cannot install one, it exits
// non-zero and says what to install.
import { spawnSync } from "node:child_process";

const needed = [
  { program: "redis-server", pkg: "redis-server" },
  { program: "chromium", pkg: "chromium" },
];

const has = (program) => spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
const missing = needed.filter((n) => !has(n.program)).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
const prefix = asRoot ? [] : ["sudo", "-n"];
console.error(`ensure-system: installing ${missing.join(", ")} with apt-get`);
const run = (args) => spawnSync(prefix[0] ?? args[0], prefix.length ? [...prefix.slice(1), ...args] : args.slice(1), { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
const update = run(["apt-get", "update", "-qq"]);
const install = update.status === 0 ? run(["apt-get", "install", "-y", "-qq", ...missing]) : update;
if (install.status !== 0 || missing.some((pkg) => !has(needed.find((n) => n.pkg === pkg).program))) {
  console.error(`ensure-system: could not install ${missing.join(", ")}; install them (apt-get install -y ${missing.join(" ")}) and run again`);
  process.exit(1);
}
