import { BlockList, isIP } from "node:net";

/**
 * A set of IP addresses and CIDR ranges (`10.0.0.0/8`, `::1`), as `trustedProxies` lists them.
 * Shared by the config check (which names a bad entry) and the HTTP binding (which asks it of
 * every peer), so both read an entry the same way.
 */
export interface AddressRanges {
  has(address: string | undefined): boolean;
  readonly size: number;
}

/** Why an entry is not an address or range; undefined when it is one. */
export function addressRangeProblem(entry: string): string | undefined {
  const [address, bits, extra] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or a CIDR range (10.0.0.0/8, fd00::/8)`;
  if (bits === undefined) return undefined;
  const prefix = Number(bits);
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && prefix <= max ? undefined : `"${entry}" has a prefix length outside 0..${max}`;
}

/** The ranges of valid entries (config validation has refused the others). */
export function addressRanges(entries: readonly string[]): AddressRanges {
  const list = new BlockList();
  for (const entry of entries) {
    if (addressRangeProblem(entry) !== undefined) continue;
    const [address, bits] = entry.split("/") as [string, string | undefined];
    const type = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    size: entries.length,
    has(address) {
      if (address === undefined || entries.length === 0) return false;
      // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; entries are written as a.b.c.d.
      const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 4 ? "ipv4" : "ipv6");
    },
  };
}
