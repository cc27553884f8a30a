import { JobWorker } from '../jobs/worker'
import { createMailer } from '../mail/mailer'
import type { Outbox } from '../mail/queue'

let worker: JobWorker | undefined

/** This process's job worker (started by the boot plugin, stopped on shutdown). */
export function useJobWorker(): JobWorker {
  return (worker ??= new JobWorker(useDb(), useSettings(), createMailer(useSettings()), {
    leaseMs: useSettings().jobLeaseSeconds * 1000,
  }))
}

/** The domain's outbox: every mail becomes a durable job before the request answers. */
export function useOutbox(): Outbox {
  return useJobWorker().outbox
}
