import type { SecretResolver } from '../io/secrets';
import type { SourceDeps } from '../connectors/sdk/source';
import type { Store } from '../store/store';

/** What activities need from the outside world; the worker and the tests build it. */
export interface ActivityDeps {
  store: Store;
  /** Path of the config file the syncs are declared in; read afresh at the start of every run. */
  configPath: string;
  /** How sources resolve secrets and make HTTP calls; the defaults read the environment and use the shared HTTP layer. */
  sourceDeps?: SourceDeps;
  /** How targets resolve their secrets; the default reads the environment and files. */
  resolveSecret?: SecretResolver;
}
