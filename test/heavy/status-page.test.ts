import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, recorderBackend, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// The read-only status page in a real headless Chromium (Debian's, never a downloaded build):
// what an operator sees when opening /status in a browser. One backend is up, one can never
// start, and the broken one's program path carries markup, which must show as text.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = join(REPO_ROOT, ".tmp", "status-page.png");

describe("the status page in a browser", () => {
  let proxy: ProxyProcess;
  let browser: Browser;
  let client: TestClient;

  beforeAll(async () => {
    proxy = await startProxyProcess({
      version: 1,
      backends: {
        good: recorderBackend("good", { required: true }),
        broken: { transport: "stdio", command: "./<i>missing</i>" },
      },
      bindings: [{ transport: "http", port: 0 }],
      logging: { level: "error" },
    });
    client = await connectClient("http", { url: proxy.url });
    expect(textOf(await client.client.callTool({ name: "good__whoami", arguments: {} }))).toBe("good");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await client?.terminate().catch(() => undefined);
    await proxy?.stop();
  });

  it("shows each backend's state, the last reload and the config, escaped, without scripts", async () => {
    const base = new URL(proxy.url!).origin;
    // The broken backend is down once its first start has failed.
    expect(await waitFor(async () => JSON.parse(await (await fetch(`${base}/status`)).text()).backends[1].state === "down", 20_000, 200)).toBe(true);
    const page = await browser.newPage();
    const response = await page.goto(`${base}/status`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-type"]).toBe("text/html; charset=utf-8");
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");

    const cell = (backend: string, selector: string) => page.locator(`#backends tr[data-backend="${backend}"] ${selector}`).innerText();
    expect(await cell("good", ".state")).toBe("up");
    expect(await cell("good", "td:first-child")).toContain("required");
    expect(await cell("broken", ".state")).toBe("down");
    // The program path is shown as the text it is; no element was made from it.
    expect(await cell("broken", "td.mono")).toContain("<i>missing</i>");
    expect(await page.locator("#backends i").count()).toBe(0);

    expect(await page.locator("#last-reload").getAttribute("data-ok")).toBe("true");
    const lastReload = await page.locator("#last-reload").innerText();
    expect(lastReload).toContain("ok");
    expect(lastReload).toContain("start");
    expect(await page.locator("#config").innerText()).toMatch(/Hash\s+[0-9a-f]{64}/);
    expect(await page.locator("h1").innerText()).toContain("ready");
    expect(await page.locator("script").count()).toBe(0);

    mkdirSync(join(REPO_ROOT, ".tmp"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
