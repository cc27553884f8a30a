import { describe, expect, it } from 'vitest'
import { dialectOf } from '../../server/db/dialect'
import { resolveClientIp } from '../../server/domain/client-ip'
import { allowedOrigin } from '../../server/domain/origin'
import { parseSettings } from '../../server/settings'
import { safeNextPath } from '../../shared/redirect'

const trust = (v?: string) => parseSettings({ TRUST_PROXY: v }).trustProxy

describe('the client address behind proxies (finding 5)', () => {
  it.each([
    ['no proxy trusted: the peer, whatever the header says', undefined, '10.0.0.1', '1.2.3.4', '10.0.0.1'],
    ['true = one hop: the entry the proxy appended', 'true', '10.0.0.1', '6.6.6.6, 1.2.3.4', '1.2.3.4'],
    ['1 = one hop too', '1', '10.0.0.1', '6.6.6.6, 1.2.3.4', '1.2.3.4'],
    ['2 hops', '2', '10.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.2', '1.2.3.4'],
    ['more hops than entries: the left-most there is', '5', '10.0.0.1', '1.2.3.4', '1.2.3.4'],
    ['CIDRs: proxies skipped from the right', '10.0.0.0/8', '10.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.9', '1.2.3.4'],
    ['CIDRs: a peer that is no proxy is the client', '10.0.0.0/8', '203.0.113.5', '6.6.6.6', '203.0.113.5'],
    ['CIDRs: IPv4 seen through an IPv6 socket', '127.0.0.1', '::ffff:127.0.0.1', '1.2.3.4', '1.2.3.4'],
    ['no header: the peer', 'true', '10.0.0.1', undefined, '10.0.0.1'],
    // One machine, one spelling (issue 25: the audit log showed ::ffff:127.0.0.1 and ::1 for one machine).
    ['IPv4 through an IPv6 socket, no proxy: the IPv4 address', undefined, '::ffff:192.0.2.7', undefined, '192.0.2.7'],
    ['IPv6 loopback is loopback', undefined, '::1', undefined, '127.0.0.1'],
    ['an IPv6 client stays as it is', undefined, '2001:db8::5', undefined, '2001:db8::5'],
  ])('%s', (_name, setting, peer, xff, expected) => {
    expect(resolveClientIp(peer, xff, trust(setting))).toBe(expected)
  })

  it('refuses a setting it cannot read', () => {
    expect(() => parseSettings({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY/)
    expect(() => parseSettings({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/)
  })
})

describe('the Origin check (findings 4 and 15)', () => {
  const wildcard = { siteUrl: undefined, allowedHosts: ['*'] }
  const site = { siteUrl: 'https://latchkey.example.com', allowedHosts: ['*'] }
  const hosts = { siteUrl: undefined, allowedHosts: ['latchkey.example.com'] }
  it.each([
    ['wildcard: same scheme and host as the request', wildcard, 'http://a.test:3000', 'a.test:3000', 'http', true],
    ['wildcard: another scheme', wildcard, 'https://a.test:3000', 'a.test:3000', 'http', false],
    ['wildcard: another host', wildcard, 'http://evil.test', 'a.test', 'http', false],
    ['site URL: the site', site, 'https://latchkey.example.com', 'latchkey.example.com', 'http', true],
    ['site URL: a rebound name equal to Host', site, 'http://evil.test', 'evil.test', 'http', false],
    ['site URL: the site over http', site, 'http://latchkey.example.com', 'latchkey.example.com', 'http', false],
    ['allowed hosts: https only', hosts, 'https://latchkey.example.com', 'latchkey.example.com', 'https', true],
    ['allowed hosts: loopback opened directly', hosts, 'http://localhost:3000', 'localhost:3000', 'http', true],
    ['opaque origin', wildcard, 'null', 'a.test', 'http', false],
    ['garbage', wildcard, 'http://a.test/path', 'a.test', 'http', false],
  ])('%s', (_name, s, origin, host, proto, ok) => {
    expect(allowedOrigin(s, origin, { host, proto })).toBe(ok)
  })
})

describe('where to go after login (finding 15)', () => {
  it.each([
    ['/users?page=2', '/users?page=2'],
    ['/\t/evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
    ['/%09/evil.example', '/%09/evil.example'],
    [undefined, '/'],
  ])('%j → %j', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected)
  })

  // Round 3, finding 1: the parser removes dot segments, so these became '//evil.example' (another host).
  it.each([
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/a/..//evil.example',
    '/./\\evil.example',
    '/.\\/evil.example',
    '/%5c%5cevil.example',
    '/%5C/evil.example',
    '/.//\\evil.example',
    '/\t/evil.example',
    '/.\t//evil.example',
    '/\n/evil.example',
    '/.\r\n//evil.example',
    '/./%09/evil.example',
    '/.///evil.example',
    '/users/../..//evil.example',
  ])('%j never leaves the site', (next) => {
    const out = safeNextPath(next)
    expect(out.startsWith('/') && !out.startsWith('//') && !out.startsWith('/\\')).toBe(true)
    // Followed as a browser follows a Location header, it stays here; and checking it again changes nothing.
    expect(new URL(out, 'https://latchkey.example').origin).toBe('https://latchkey.example')
    expect(safeNextPath(out)).toBe(out)
  })
})

describe('the client address under nuxt dev (finding of the first-run review)', () => {
  it('trusts the dev proxy\'s one hop when no TRUST_PROXY is set, and only under development', () => {
    const dev = parseSettings({ NODE_ENV: 'development' }).trustProxy
    expect(resolveClientIp(undefined, '127.0.0.1', dev)).toBe('127.0.0.1')
    expect(parseSettings({ NODE_ENV: 'production' }).trustProxy).toEqual({ kind: 'none' })
    expect(parseSettings({ NODE_ENV: 'development', TRUST_PROXY: 'false' }).trustProxy).toEqual({ kind: 'none' })
  })
})

describe('DATABASE_URL', () => {
  // It used to be taken as a path whatever it said: postgres://… made a folder named "postgres:" and a SQLite file in it.
  it('takes a file path (or nothing) as SQLite, postgres:// or postgresql:// as PostgreSQL, and refuses any other scheme with one clear line', () => {
    expect(parseSettings({}).databaseUrl).toBe('./data/latchkey.sqlite')
    expect(parseSettings({ DATABASE_URL: ' /data/team.sqlite ' }).databaseUrl).toBe('/data/team.sqlite')
    expect(parseSettings({ DATABASE_URL: 'C:\\data\\x.sqlite' }).databaseUrl).toBe('C:\\data\\x.sqlite')
    expect(dialectOf(parseSettings({ DATABASE_URL: 'postgres://app:pw@db/latchkey' }).databaseUrl)).toBe('pg')
    expect(dialectOf(parseSettings({ DATABASE_URL: 'PostgreSQL://db/latchkey' }).databaseUrl)).toBe('pg')
    expect(dialectOf(parseSettings({ DATABASE_URL: '/data/postgres.sqlite' }).databaseUrl)).toBe('sqlite')
    expect(() => parseSettings({ DATABASE_URL: 'mysql://db/latchkey' })).toThrow(
      /DATABASE_URL.*must be a SQLite file path .* or a PostgreSQL URL/,
    )
    expect(() => parseSettings({ DATABASE_URL: 'sqlite:///data/x' })).toThrow(/DATABASE_URL.*no other database scheme/)
  })
})
