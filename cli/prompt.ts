import { createInterface } from 'node:readline'

/** Reads one line from a terminal without echoing it (passwords). */
export function readHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin
    process.stdout.write(question)
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    let value = ''
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done()
          resolve(value)
          return
        }
        if (ch === '\u0003') {
          done()
          reject(new Error('Cancelled.'))
          return
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('')
        else value += ch
      }
    }
    function done() {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stdout.write('\n')
    }
    stdin.on('data', onData)
  })
}

/** Reads all lines from a non-terminal stdin (piped input). */
export async function readStdinLines(): Promise<string[]> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
  const lines: string[] = []
  for await (const line of rl) lines.push(line)
  return lines
}

/**
 * Asks for a new password twice. On a terminal: hidden prompts, up to 3 tries, with `check` explaining a refusal.
 * Piped: the first two lines of stdin, which must match.
 */
export async function askNewPassword(check: (pw: string) => string | null, label = 'Password'): Promise<string> {
  if (!process.stdin.isTTY) {
    const [first, second] = await readStdinLines()
    if (first === undefined || second === undefined)
      throw new Error('Expected the password twice on standard input, one per line.')
    if (first !== second) throw new Error('The two passwords do not match. Nothing was changed.')
    const problem = check(first)
    if (problem) throw new Error(`${problem} Nothing was changed.`)
    return first
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    const first = await readHidden(`${label}: `)
    const second = await readHidden(`${label} (again): `)
    if (first !== second) {
      console.error('The passwords do not match. Try again.')
      continue
    }
    const problem = check(first)
    if (problem) {
      console.error(problem)
      continue
    }
    return first
  }
  throw new Error('Too many attempts. Nothing was changed.')
}
