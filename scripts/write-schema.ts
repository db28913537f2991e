// Regenerates schema/mcp-proxy.schema.json from the TypeBox source; a test fails when they differ.
import { writeFileSync } from "node:fs";
import { renderJsonSchema } from "../src/config/schema/index.js";

const target = new URL("../schema/mcp-proxy.schema.json", import.meta.url);
writeFileSync(target, renderJsonSchema());
console.log(`wrote ${target.pathname}`);
