/** sdnwal: the store API. */
export * from './errors.js';
