import type { SourceDefinition } from '../sdk/source';
import { MsgraphConfigSchema } from './config';
import type { MsgraphConfig } from './config';
import { createMsgraphSource } from './source';

export const msgraphSource: SourceDefinition<MsgraphConfig> = {
  type: 'msgraph',
  title: 'Microsoft Entra ID users through Microsoft Graph, via an app registration',
  docsUrl: 'https://learn.microsoft.com/en-us/graph/api/user-list',
  configSchema: MsgraphConfigSchema,
  create: (config, deps) => createMsgraphSource(config, deps),
};
