/**
 * What `mcp-proxy login BACKEND` stores for the gateway (encrypted, see TokenStore): the
 * client it registered, what discovery found, and the tokens. Field names follow the OAuth
 * documents they come from.
 */
export interface LoginRecord {
  /** The backend URL the login was for: a record for another URL is not used. */
  readonly serverUrl: string;
  readonly authorizationServerUrl: string;
  readonly authorizationServerMetadata: Record<string, unknown> | undefined;
  readonly clientInformation: Record<string, unknown> & { readonly client_id: string };
  /** RFC 8707 resource indicator the tokens were asked for. */
  readonly resource: string | undefined;
  readonly tokens: StoredTokens;
}

export interface StoredTokens {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly token_type: string;
  readonly scope?: string;
  readonly expires_in?: number;
  /** When the token endpoint answered (ms since the epoch): expires_in counts from here. */
  readonly obtainedAt: number;
}

/** When the access token stops being valid, or undefined when the server did not say. */
export function expiryOf(tokens: StoredTokens): number | undefined {
  return typeof tokens.expires_in === "number" && tokens.expires_in > 0 ? tokens.obtainedAt + tokens.expires_in * 1000 : undefined;
}
