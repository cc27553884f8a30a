import { emailSchema } from '../../shared/schemas'
import { createMailer } from '../../server/mail/mailer'
import { mailLanguage } from '../../server/mail/i18n'
import { testMail } from '../../server/mail/templates'
import { parseSettings } from '../../server/settings'
import { oneArgument } from '../context'

export const help = `Usage: manage sendtestemail <address>

Sends a test email with the configured transport (SMTP, Resend or the log) and prints the transport's error if any.`

export async function run(argv: string[]) {
  const given = oneArgument(argv, help, 'Give one email address.')
  if (!given) return
  const to = emailSchema.safeParse(given.arg)
  if (!to.success) throw new Error(`Give one email address: ${to.error.issues[0]?.message}\n\n${help}`)
  const settings = parseSettings()
  const mailer = createMailer(settings)
  try {
    // To an address, not an account: in the instance's language.
    const lang = mailLanguage(settings.language, settings.timeZone)
    await mailer.send({ to: to.data, ...testMail({ lang, product: settings.productName }) })
  }
  catch (err) {
    throw new Error(`Sending with ${mailer.kind} failed: ${err instanceof Error ? err.message : String(err)}`)
  }
  console.log(
    `Test email sent to ${to.data} with ${mailer.kind}${mailer.kind === 'log' ? ' (printed above; no mail transport is configured)' : ''}.`,
  )
}
