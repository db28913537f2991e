export { authorizedFetch } from "./authorized-fetch.js";
export { CredentialBroker } from "./credential-broker.js";
export { credentialError } from "./credential-error.js";
export { expiryOf, type LoginRecord, type StoredTokens } from "./login-record.js";
export { TokenStore } from "./token-store.js";
export type { BackendAuthSpec, CredentialSource } from "./types.js";
