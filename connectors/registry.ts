import type { SourceConfig } from '../config/schema';
import { createCsvDropSource } from './csv-drop/source';
import type { SourceConnector } from './sdk/source';

/** Builds the source connector a sync's `source.type` names. */
export function createSource(config: SourceConfig): SourceConnector {
  switch (config.type) {
    case 'csv':
      return createCsvDropSource(config);
  }
}
