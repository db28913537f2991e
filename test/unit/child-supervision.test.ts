import { describe, expect, it } from "vitest";
import { supervisedCommand } from "../../src/backends/child-supervision.js";

describe.skipIf(process.platform !== "linux")("how a backend child is started", () => {
  it("runs under setpriv's parent-death signal and a shell that takes the process group down", () => {
    const { command, args, unsupervised } = supervisedCommand(process.execPath, ["server.js"], process.env.PATH);
    expect(command).toMatch(/setpriv$/);
    expect(args.slice(0, 5)).toEqual(["--pdeathsig", "USR1", "--", "/bin/sh", "-c"]);
    expect(args.slice(-3)).toEqual([String(process.pid), process.execPath, "server.js"]);
    expect(unsupervised).toBeUndefined();
  });

  it("runs a program that cannot be found as it is, so the spawn fails with the system's error", () => {
    expect(supervisedCommand("/nonexistent/mcp-server", [], process.env.PATH)).toMatchObject({ command: "/nonexistent/mcp-server", args: [] });
    expect(supervisedCommand("no-such-program-here", [], "/usr/bin:/bin")).toMatchObject({ command: "no-such-program-here" });
  });
});
