/** Crash recovery and offline verification of a store directory (docs/protocol.md §9). */
export { recover, recoverStoreOnOpen, type RecoverOptions } from './recover.js';
export { formatRecoveryReport, type QuarantinedRange, type RecoveryPolicy, type RecoveryProgress, type RecoveryReport, type TableRecovery } from './report.js';
export { verify, type VerifyOptions } from './verify.js';
export { formatVerifyReport, type Finding, type TableVerify, type VerifyReport } from './verify-report.js';
