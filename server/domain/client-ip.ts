import { BlockList, isIP } from 'node:net'
import type { TrustProxy } from '../settings'

const lists = new WeakMap<object, BlockList>()
function blockList(cidrs: string[], key: object): BlockList {
  let list = lists.get(key)
  if (list) return list
  list = new BlockList()
  for (const c of cidrs) {
    const [addr, bits] = c.split('/') as [string, string | undefined]
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(addr, type)
    else list.addSubnet(addr, Number(bits), type)
  }
  lists.set(key, list)
  return list
}

function inList(list: BlockList, addr: string): boolean {
  const v = isIP(addr)
  if (!v) return false
  // An IPv4 client seen through an IPv6 socket arrives as ::ffff:a.b.c.d.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr)
  if (mapped) return list.check(mapped[1]!, 'ipv4') || list.check(addr, 'ipv6')
  return list.check(addr, v === 6 ? 'ipv6' : 'ipv4')
}

/**
 * The client's address. Without TRUST_PROXY it is the socket's peer. Behind trusted proxies it is read from
 * X-Forwarded-For right to left: each proxy appends the address it saw, so the right-most entries are the
 * trusted ones and the client's own (left-most) entries are never believed. With a hop count, the entry
 * `hops` places left of the peer is taken; with CIDRs, the first address from the right that is not a proxy.
 */
export function resolveClientIp(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxy,
): string | undefined {
  const ip = pickClientIp(peer, forwardedFor, trust)
  return ip && sameMachineForm(ip)
}

/**
 * One spelling per address, so the audit log and the rate limits see one machine once: an IPv4 client seen
 * through an IPv6 socket (::ffff:a.b.c.d) is a.b.c.d, and IPv6 loopback (::1) is 127.0.0.1.
 */
export function sameMachineForm(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]!
  return ip === '::1' ? '127.0.0.1' : ip
}

function pickClientIp(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxy,
): string | undefined {
  if (trust.kind === 'none' || (!peer && trust.kind === 'cidrs')) return peer
  // No peer address: a local socket (Nitro's dev proxy), which counts as one hop.
  const chain = [
    ...(forwardedFor ?? '')
      .split(',')
      .map(s => s.trim())
      .filter(Boolean),
    peer ?? 'local-socket',
  ]
  if (trust.kind === 'hops') {
    const entry = chain[Math.max(0, chain.length - 1 - trust.hops)]
    return entry && isIP(entry) ? entry : peer
  }
  const list = blockList(trust.cidrs, trust)
  if (!peer) return peer
  if (!inList(list, peer)) return peer // not from a trusted proxy: its X-Forwarded-For means nothing
  for (let i = chain.length - 2; i >= 0; i--) {
    const entry = chain[i]!
    if (!isIP(entry)) return chain[i + 1]
    if (!inList(list, entry)) return entry
  }
  return chain[0]
}
