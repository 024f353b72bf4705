// The worker loads this one module; every workflow type it serves is exported here.
export { syncRoster } from './sync-roster';
export { uploadLock } from './upload-lock';
export { watchSyncs } from './watchdog';
export { sendAlerts } from './send-alerts';
