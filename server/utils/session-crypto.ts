import { createCipheriv, createDecipheriv, createHmac, getRandomValues, pbkdf2Sync } from 'node:crypto'

// The session cookie is sealed with iron (h3's useSession, through nuxt-auth-utils): per seal or unseal a
// PBKDF2 import and derivation for each of two keys, an AES-CBC step and an HMAC, eight WebCrypto calls that
// each make a round trip through libuv's thread pool, the same four threads argon2id verifies on. Node's
// synchronous primitives do the same work in microseconds on the request's own thread. iron itself
// (iron-webcrypto) keeps building and checking the token; this gives it the part of WebCrypto it calls,
// byte for byte the same (tests/unit/sessions.test.ts seals with one and unseals with the other).

interface Key {
  raw: Buffer
  algorithm: { name: string, hash?: string | { name: string } }
}
type Bytes = ArrayBuffer | ArrayBufferView
const bytes = (b: Bytes) =>
  Buffer.from(ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b))
const hashName = (h: string | { name: string } | undefined) =>
  (typeof h === 'string' ? h : (h?.name ?? '')).replace('-', '').toLowerCase()
const aesCbc = (key: Key) => `aes-${key.raw.length * 8}-cbc`
const arrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer

function only(name: string, expected: string) {
  if (name !== expected) throw new Error(`session crypto: ${name} is not supported`)
}

export const sessionCrypto = {
  getRandomValues: <T extends ArrayBufferView>(array: T): T =>
    getRandomValues(array as unknown as Uint8Array) as unknown as T,
  subtle: {
    async importKey(_format: 'raw', raw: Bytes, algorithm: Key['algorithm']): Promise<Key> {
      return { raw: bytes(raw), algorithm }
    },
    async deriveBits(
      params: { name: string, hash: string | { name: string }, salt: Bytes, iterations: number },
      key: Key,
      bits: number,
    ): Promise<ArrayBuffer> {
      only(params.name, 'PBKDF2')
      return arrayBuffer(pbkdf2Sync(key.raw, bytes(params.salt), params.iterations, bits / 8, hashName(params.hash)))
    },
    async encrypt(params: { name: string, iv: Bytes }, key: Key, data: Bytes): Promise<ArrayBuffer> {
      only(params.name, 'AES-CBC')
      const cipher = createCipheriv(aesCbc(key), key.raw, bytes(params.iv))
      return arrayBuffer(Buffer.concat([cipher.update(bytes(data)), cipher.final()]))
    },
    async decrypt(params: { name: string, iv: Bytes }, key: Key, data: Bytes): Promise<ArrayBuffer> {
      only(params.name, 'AES-CBC')
      const decipher = createDecipheriv(aesCbc(key), key.raw, bytes(params.iv))
      return arrayBuffer(Buffer.concat([decipher.update(bytes(data)), decipher.final()]))
    },
    async sign(params: { name: string }, key: Key, data: Bytes): Promise<ArrayBuffer> {
      only(params.name, 'HMAC')
      return arrayBuffer(createHmac(hashName(key.algorithm.hash), key.raw).update(bytes(data)).digest())
    },
  },
}
