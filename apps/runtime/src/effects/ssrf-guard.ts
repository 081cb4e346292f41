import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

/** True when an address is on the public internet (not loopback, private, link-local, multicast …). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

/** Raised when a webhook would reach an internal address. */
export class BlockedAddressError extends Error {
  readonly code = 'webhook_address_blocked';
}

/**
 * A `lookup` for http.request that refuses non-public addresses at connect time, so a DNS answer
 * that changes between check and connect (rebinding) cannot reach an internal service.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      const blocked = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
      if (blocked)
        return callback(
          new BlockedAddressError(
            `${hostname} resolves to ${blocked.address}, an internal address; webhooks may only call public addresses`,
          ),
          '',
        );
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
