/**
 * node:crypto on first use: only making a table id and a boot id need it, and loading it costs
 * about 3 ms of every process start, which the read path (`sdnwal count`) does not otherwise pay.
 */
import { createRequire } from 'node:module';

let loaded: typeof import('node:crypto') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto'));
}
