// `--import` this module to give a thread (or process) the CLI's start-up caches before it loads any
// TypeScript: worker threads get neither the V8 compile cache nor the stripped-TypeScript hook of the
// process that starts them (module hooks are per thread), so the kit starts its threads with this.
import { enableStartupCaches } from './startup-caches.js';

enableStartupCaches();
