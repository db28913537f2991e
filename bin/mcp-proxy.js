#!/usr/bin/env node
// Thin launcher so the package's `bin` stays stable while the compiled code lives in dist/.
await import("../dist/cli/bin.js");
