// Type declarations for the sqlmig package.

/** A database connection sqlmig can load into: better-sqlite3's Database or node:sqlite's DatabaseSync. */
export interface LoadableDatabase {
  loadExtension(path: string, entryPoint?: string): unknown;
}

/** The absolute path of the sqlmig library shipped in this package. Throws when it is missing. */
export function getLoadablePath(): string;

/**
 * Loads sqlmig into `db` (a better-sqlite3 Database, or a node:sqlite DatabaseSync
 * opened with `allowExtension: true`) and returns it. Throws a TypeError for anything else.
 */
export function load<T extends LoadableDatabase>(db: T): T;

/** The package's version: the library's own, as `SELECT sqlmig_version()` returns it. */
export const version: string;
