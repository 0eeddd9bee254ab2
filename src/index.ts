/** sdnwal: the store API. */
export * from './errors.js';
export { recover, verify, formatRecoveryReport, formatVerifyReport, type RecoverOptions, type RecoveryReport, type TableRecovery, type VerifyOptions, type VerifyReport, type TableVerify, type Finding } from './recovery/index.js';
