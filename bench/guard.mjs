// Preloaded (`node --import ./guard.mjs …`) into every server process the bench starts.
// It changes nothing on the request path; it only makes the bench safe and able to find ports:
//
// 1. Loopback only: every TCP listen is bound to 127.0.0.1, whatever host the program asked
//    for (supergateway has no host option and would listen on every interface).
// 2. Port discovery: once a server listens it prints `bench-guard: listening on HOST PORT` on
//    stderr, so programs that print the port they were given (0) rather than the port they got
//    can still be found.
// 3. Lifeline: the bench holds fd 3 open; when it closes (the bench exited, even by SIGKILL),
//    this process kills its whole tree and itself. So nothing outlives the bench.
import net from "node:net";
import { descendants, signalSnapshot } from "./proctree.mjs";

const LOOPBACK = "127.0.0.1";

function isPort(value) {
  return typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value));
}

/** listen()'s arguments with any host replaced by 127.0.0.1 (IPC paths and handles untouched). */
function loopbackArgs(args) {
  const [first, second, ...rest] = args;
  if (isPort(first)) return typeof second === "string" ? [first, LOOPBACK, ...rest] : [first, LOOPBACK, ...args.slice(1)];
  if (first && typeof first === "object" && first.path === undefined && (first.port !== undefined || first.host !== undefined)) {
    return [{ ...first, host: LOOPBACK, ipv6Only: false }, ...args.slice(1)];
  }
  if (first === undefined || typeof first === "function") return [0, LOOPBACK, ...args];
  return args;
}

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function guardedListen(...args) {
  this.once("listening", () => {
    const address = this.address();
    if (address && typeof address === "object") process.stderr.write(`bench-guard: listening on ${address.address} ${address.port}\n`);
  });
  return listen.apply(this, loopbackArgs(args));
};

function die() {
  signalSnapshot(descendants(process.pid), "SIGKILL");
  process.kill(process.pid, "SIGKILL");
}

if (process.env.BENCH_LIFELINE === "3") {
  try {
    const lifeline = new net.Socket({ fd: 3, readable: true, writable: false });
    lifeline.on("end", die).on("close", die).on("error", die);
    lifeline.resume();
    lifeline.unref();
  } catch {
    // no fd 3: started by hand, nothing to watch
  }
}
