import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { isoCBOR } from '@simplewebauthn/server/helpers'

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url')
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest()
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

/**
 * A passkey in software, for API tests on both databases: a P-256 key that answers WebAuthn registration ("none"
 * attestation) and authentication as an authenticator would, with or without user verification. The browser tests
 * use Chromium's virtual authenticator instead.
 */
export class SoftPasskey {
  readonly id = randomBytes(16)
  private readonly key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  private counter = 0
  private userHandle = ''
  constructor(private readonly origin: string) {}

  private authData(flags: number, attested?: Uint8Array) {
    const rpIdHash = sha256(new URL(this.origin).hostname)
    return Buffer.concat([rpIdHash, Buffer.from([flags]), u32(this.counter), ...(attested ? [attested] : [])])
  }

  /** The answer to navigator.credentials.create(options). */
  register(options: { challenge: string, user: { id: string } }) {
    this.userHandle = options.user.id
    const jwk = this.key.publicKey.export({ format: 'jwk' })
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ])
    const credential = Buffer.concat([
      Buffer.alloc(16),
      Buffer.from([0, this.id.length]),
      this.id,
      Buffer.from(isoCBOR.encode(cose)),
    ])
    // user present, user verified, attested credential data
    const authData = this.authData(0x45, credential)
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    )
    const clientData = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: this.origin })
    return {
      id: b64u(this.id),
      rawId: b64u(this.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientData),
        attestationObject: b64u(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    }
  }

  /** The answer to navigator.credentials.get(options), signed; `uv: false` as a key without a PIN or biometrics. */
  answer(options: { challenge: string }, opts: { uv?: boolean, origin?: string } = {}) {
    this.counter++
    const authData = this.authData(0x01 | (opts.uv === false ? 0 : 0x04))
    const clientData = JSON.stringify({
      type: 'webauthn.get',
      challenge: options.challenge,
      origin: opts.origin ?? this.origin,
    })
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.key.privateKey)
    return {
      id: b64u(this.id),
      rawId: b64u(this.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientData),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
    }
  }
}
