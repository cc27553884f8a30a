import type { TestProject } from 'vitest/node'
import { startPostgres } from './postgres'

// globalSetup of the api-pg project: one throwaway PostgreSQL cluster for the whole run (each test server
// gets a database of its own in it, tests/support/server.ts), stopped and deleted at the end.
export default async function setup(project: TestProject) {
  const cluster = await startPostgres()
  project.provide('postgresUrl', cluster.url)
  return () => cluster.stop()
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}
