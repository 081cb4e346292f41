export { connectPostgres, type Database, type Db, notify, openPglite, type Tx } from './client.ts';
export * as schema from './schema.ts';
