export { openAuditLog } from "./audit-log.js";
export { GENESIS } from "./line-format.js";
export type { AuditLog, AuditLogOptions, AuditSinkSpec, VerifyResult } from "./types.js";
export { verifyAuditFile } from "./verify.js";
